from django.urls import include, path

from accounts import views as accounts_views
from dashboard import views as dashboard_views

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("accounts/password/change/", accounts_views.password_change, name="account_change_password"),
    path("accounts/email/", accounts_views.email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("", include("documents.urls")),  # /cases/<pk>/documents/..., /documents/<pk>/...
    path("", include("records.urls")),  # /records/<pk>/..., /cases/<pk>/report/...
    path("cases/", include("cases.urls")),
    path("findings/", include("findings.urls")),
    path("firms/", include("firms.urls")),
    path("agencies/", include("agencies.urls")),
    path("audit/", include("audit.urls")),
    path("invitations/", include("invitations.urls")),  # invitations, account deactivation
    path("notifications/", include("notifications.urls")),  # notifications page, email preference
    path("search/", include("search.urls")),
    path(
        "metrics/", include("metrics.urls")
    ),  # program metrics (coordinators; supervisors for their agency)  # one search across what the reader may see
]
