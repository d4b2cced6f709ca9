from django.apps import AppConfig


class OpsConfig(AppConfig):
    """What an operator runs the portal with: health checks, structured logs, backups."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from ops import task_logging

        task_logging.connect()
