from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("records/<int:pk>/", views.record_html, name="html"),
    path("records/<int:pk>/pdf/", views.record_pdf, name="pdf"),
    path("cases/<int:pk>/report/", views.interim_html, name="interim"),
    path("cases/<int:pk>/report/pdf/", views.interim_pdf, name="interim_pdf"),
]
