from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from core import events
        from notifications.events import event_publish, event_record

        # The outbox of every service's notice events (core imports no domain app).
        events.register(record=event_record, publish=event_publish)
