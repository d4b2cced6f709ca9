"""Production can keep documents in S3-compatible object storage: the settings build django-storages'
S3 backend, private and encrypted, from the environment. (Uploads and downloads themselves are
tested on the local storage; no S3 service is reachable from the tests.)"""

from tests.accounts.test_settings_guard import PRODUCTION_ENV, run_python

SHOW_STORAGE = (
    "import django; django.setup();"
    "from django.core.files.storage import storages; s = storages['default'];"
    "print(type(s).__module__ + '.' + type(s).__name__, s.bucket_name, s.location, s.default_acl, s.querystring_auth,"
    " s.object_parameters['ServerSideEncryption'], s.endpoint_url)"
)


def test_s3_storage_is_configured_private_and_encrypted_from_the_environment():
    result = run_python(
        SHOW_STORAGE,
        **PRODUCTION_ENV,
        DOCUMENT_STORAGE_BACKEND="s3",
        DOCUMENT_S3_BUCKET="checkpoint-documents",
        DOCUMENT_S3_ENDPOINT_URL="https://objects.example.gov",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "checkpoint-documents",
        "documents",
        "private",
        "True",
        "AES256",
        "https://objects.example.gov",
    ]


def test_s3_storage_without_a_bucket_refuses_to_start():
    result = run_python(SHOW_STORAGE, **PRODUCTION_ENV, DOCUMENT_STORAGE_BACKEND="s3")
    assert result.returncode != 0
    assert "DOCUMENT_S3_BUCKET" in result.stderr
