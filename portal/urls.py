from django.urls import include, path

from accounts import views as accounts_views
from dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("accounts/password/change/", accounts_views.password_change, name="account_change_password"),
    path("accounts/email/", accounts_views.email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("", include("documents.urls")),  # /cases/<pk>/documents/..., /documents/<pk>/...
    path("cases/", include("cases.urls")),
    path("findings/", include("findings.urls")),
    path("firms/", include("firms.urls")),
    path("agencies/", include("agencies.urls")),
    path("audit/", include("audit.urls")),
    path("invitations/", include("invitations.urls")),  # invitations, account deactivation
    path("notifications/", include("notifications.urls")),  # notifications page, email preference
    path("api/v1/", include("api.urls")),  # REST API v1, its schema and docs
    path("api-tokens/", include("api.page_urls")),  # personal access tokens
    path("webhooks/", include("api.webhook_urls")),  # a firm admin's webhook endpoints and deliveries
]

# A path under /api/ that names no route answers in JSON, like a missing object (api.views).
handler404 = "api.views.not_found"
