from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("preferences/", views.preferences, name="preferences"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("clear/", views.clear_read, name="clear_read"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/clear/", views.clear, name="clear"),
]
