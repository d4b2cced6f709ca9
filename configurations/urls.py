from django.urls import path

from configurations import views

app_name = "configurations"

urlpatterns = [
    path("cases/<int:case_pk>/configurations/", views.configuration_list, name="list"),
    path("cases/<int:case_pk>/configurations/new/", views.configuration_add, name="add"),
    path("configurations/<int:pk>/revise/", views.configuration_revise, name="revise"),
    path("cases/<int:case_pk>/access/", views.ledger, name="ledger"),
    path("cases/<int:case_pk>/access/periods/new/", views.period_record, name="period_record"),
    path("cases/<int:case_pk>/access/interruptions/new/", views.interruption_record, name="interruption_record"),
    path("access/<str:kind>/<int:pk>/comment/", views.ledger_comment, name="comment"),
    path("cases/<int:case_pk>/attestation/", views.attestation, name="attestation"),
]
