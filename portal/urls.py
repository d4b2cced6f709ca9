from django.urls import include, path

from accounts import views as accounts_views
from dashboard import views as dashboard_views

handler500 = "ops.views.server_error"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("", include("ops.urls")),  # /healthz, /readyz
    path("accounts/password/change/", accounts_views.password_change, name="account_change_password"),
    path("accounts/email/", accounts_views.email, name="account_email"),
    path("accounts/sessions/", accounts_views.sessions, name="account_sessions"),
    path("accounts/", include("allauth.urls")),
    path("", include("documents.urls")),  # /cases/<pk>/documents/..., /documents/<pk>/...
    path("", include("records.urls")),  # /records/<pk>/..., /cases/<pk>/report/...
    path("cases/", include("cases.urls")),
    path("", include("configurations.urls")),  # /cases/<pk>/configurations/, /cases/<pk>/access/, ...
    path("findings/", include("findings.urls")),
    path("firms/", include("firms.urls")),
    path("agencies/", include("agencies.urls")),
    path("audit/", include("audit.urls")),
    path("invitations/", include("invitations.urls")),  # invitations, account deactivation
    path("notifications/", include("notifications.urls")),  # notifications page, email preference
    path("api/v1/", include("api.urls")),  # REST API v1, its schema and docs
    path("api-tokens/", include("api.page_urls")),  # personal access tokens
    path("search/", include("search.urls")),  # one search across what the reader may see
    path("", include("planning.urls")),  # /calendar/ (and its feed), /workload/
    path("webhooks/", include("api.webhook_urls")),  # a firm admin's webhook endpoints and deliveries
    path("metrics/", include("metrics.urls")),  # program metrics (coordinators; supervisors for their agency)
]

# A path under /api/ that names no route answers in JSON, like a missing object (api.views).
handler404 = "api.views.not_found"
