from django.urls import path

from planning import views

app_name = "planning"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feed/", views.feed_create, name="feed_create"),
    path("calendar/feed/revoke/", views.feed_revoke, name="feed_revoke"),
    # Public: a calendar application's subscription, answering only to its secret.
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("workload/", views.workload, name="workload"),
]
