from django.urls import path

from api import views

app_name = "api_pages"

urlpatterns = [
    path("", views.token_list, name="tokens"),
    path("all/", views.all_tokens, name="all_tokens"),
    path("<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
