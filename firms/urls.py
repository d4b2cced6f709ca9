from django.urls import path

from firms import views

app_name = "firms"

urlpatterns = [
    path("", views.firm_list, name="list"),
    path("<int:pk>/", views.firm_detail, name="detail"),
]
