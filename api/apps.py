from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API, access tokens and webhooks"

    def ready(self) -> None:
        from api import (
            schema,  # noqa: F401  (registers the schema's security schemes)
            webhooks,
        )
        from core import events

        # The firms' webhook deliveries are written beside each notice event, in its transaction.
        events.subscribe(webhooks.on_event)
