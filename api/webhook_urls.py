from django.urls import path

from api import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("<int:pk>/", views.webhook_detail, name="detail"),
    path("<int:pk>/test/", views.webhook_test, name="test"),
    path("<int:pk>/remove/", views.webhook_remove, name="remove"),
]
