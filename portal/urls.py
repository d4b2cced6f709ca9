from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from core import views as core_views

admin.site.site_header = "Checkpoint administration"
admin.site.site_title = "Checkpoint"
admin.site.index_title = "Program office"
# issue 3, sign-in: the admin has no login form of its own; it sends people to allauth's
# (rate limits, second factor, audit) and refuses signed-in non-staff (no redirect loop).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", core_views.home, name="home"),
    # issue 3, sign-in: password changes re-authenticate first; the admin's password form leads there.
    path("admin/password_change/", accounts_views.admin_password_change, name="admin_password_change_redirect"),
    path("admin/", admin.site.urls),
    path("accounts/password/change/", accounts_views.password_change, name="account_change_password"),
    path("accounts/", include("allauth.urls")),
    path("", include("documents.urls")),  # issue 4: /cases/<pk>/documents/..., /documents/<pk>/...
    path("cases/", include("cases.urls")),
    path("findings/", include("findings.urls")),
    path("firms/", include("firms.urls")),
    path("agencies/", include("agencies.urls")),
    path("audit/", include("audit.urls")),
    path("invitations/", include("invitations.urls")),  # issue 3: invitations, account deactivation
    path("notifications/", include("notifications.urls")),  # issue 6: notifications page, email preference
]
