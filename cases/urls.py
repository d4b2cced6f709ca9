from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("triage/", views.triage, name="triage"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/submit/", views.case_submit, name="submit"),
    path("<int:pk>/sharing-date/", views.case_move_sharing_date, name="move_date"),
    path("<int:pk>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<int:pk>/agencies/", views.case_assign_agencies, name="assign_agencies"),
    path("<int:pk>/reviewers/", views.case_assign_reviewers, name="assign_reviewers"),
    path("<int:pk>/history/", views.case_history, name="history"),
    path("<int:pk>/audit/", views.case_audit, name="audit"),
    path("<int:pk>/closeout/", views.closeout_request, name="closeout_request"),
    path("closeouts/<int:pk>/", views.closeout_detail, name="closeout"),
    path("closeouts/<int:pk>/decide/", views.closeout_decide, name="closeout_decide"),
    path("models/", views.model_list, name="model_list"),
    path("models/new/", views.model_create, name="model_create"),
    path("models/<int:pk>/edit/", views.model_edit, name="model_edit"),
]
