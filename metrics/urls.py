from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:key>.csv", views.figure_csv, name="csv"),
]
