from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Closeout records"

    def ready(self) -> None:
        # verify_documents re-hashes the records' stored files too, without importing this app.
        from documents.verification import register
        from records.verification import CLOSEOUT_RECORDS

        register(CLOSEOUT_RECORDS)
