from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Checkpoint core"

    def ready(self) -> None:
        from core.permissions import forget_permission_ids

        # A flush or a migration re-creates permission rows: forget the ids read before.
        post_migrate.connect(forget_permission_ids, dispatch_uid="core.forget_permission_ids")
