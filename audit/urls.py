from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("verify/", views.audit_verify, name="verify"),
    path("export.csv", views.audit_export, name="export"),
]
