from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from audit.services import audit_refusal
        from core import permissions

        permissions.set_refusal_recorder(lambda actor, data: audit_refusal(actor=actor, data=data))
