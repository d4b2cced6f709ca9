from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # allauth's and Django's sign-in, sign-out and MFA signals feed the audit log.
        from accounts import receivers

        receivers.connect()
