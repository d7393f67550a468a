from django.urls import path

from comradarr.logbook import views

app_name = "logs"

urlpatterns = [
    path("", views.index, name="index"),
    path("tail", views.tail, name="tail"),
]
