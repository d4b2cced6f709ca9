from django.urls import path

from findings import views

app_name = "findings"

urlpatterns = [
    path("", views.finding_list, name="list"),
    path("export.csv", views.finding_export, name="export"),
    path("new/<int:case_pk>/", views.finding_create, name="create"),
    path("comment/<int:case_pk>/", views.comment_add, name="comment"),
    path("<int:pk>/", views.finding_detail, name="detail"),
    path("<int:pk>/edit/", views.finding_edit, name="edit"),
    path("<int:pk>/release/", views.finding_release, name="release"),
    path("<int:pk>/request-release/", views.finding_request_release, name="request_release"),
    path("<int:pk>/resolve/", views.finding_resolve, name="resolve"),
    path("<int:pk>/withdraw/", views.finding_withdraw, name="withdraw"),
    path("<int:pk>/send-back/", views.finding_send_back, name="send_back"),
    path("<int:pk>/respond/", views.finding_respond, name="respond"),
]
