from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "Checkpoint administration"
admin.site.site_title = "Checkpoint"
admin.site.index_title = "Program office"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]
