from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # Runs after the admin's autodiscovery (django.contrib.admin comes first in
        # INSTALLED_APPS): take out every admin page that is not one of our read-only ones, such
        # as auth's groups (they carry object permissions) and allauth's email addresses and
        # authenticators. Changes go through the audited services, never through the admin.
        from django.contrib import admin

        from audit.admin import CoordinatorReadOnlyMixin

        for model, model_admin in list(admin.site._registry.items()):
            if not isinstance(model_admin, CoordinatorReadOnlyMixin):
                admin.site.unregister(model)
