"""The library browser's routes; content.urls adds them to the "content" namespace."""

from django.urls import path

from content import views_browse

urlpatterns = [
    path("", views_browse.library, name="list"),
    path("series/<int:pk>/", views_browse.series_detail, name="series"),
    path("series/<int:pk>/action/", views_browse.series_action, name="series_action"),
    path("item/<str:kind>/<int:pk>/", views_browse.item_detail, name="item"),
    path("item/<str:kind>/<int:pk>/action/", views_browse.item_action, name="item_action"),
]
