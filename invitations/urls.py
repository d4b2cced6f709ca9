from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("", views.invitation_list, name="list"),
    path("new/", views.invitation_create, name="create"),
    path("<int:pk>/revoke/", views.invitation_revoke, name="revoke"),
    # Public: the link in the invitation email.
    path("accept/<str:token>/", views.invitation_accept, name="accept"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/deactivate/", views.account_deactivate, name="deactivate"),
    path("accounts/<int:pk>/email/", views.account_email, name="account_email"),
]
