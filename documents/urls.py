from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_pk>/documents/", views.case_documents, name="case_documents"),
    path("cases/<int:case_pk>/documents/new/", views.document_create, name="create"),
    path("documents/<int:pk>/", views.document_detail, name="detail"),
    path("documents/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("documents/<int:pk>/versions/<int:number>/download/", views.version_download, name="download"),
    path("documents/<int:pk>/versions/<int:number>/retract/", views.version_retract, name="retract"),
]
