"""The library browser, mounted at /library/ by comradarr.urls.

It lives in web, above the domain apps: its pages show the mirror (content),
steer search state (why, exclude, priority) and link the queue (queueing).
"""

from django.urls import path

from web import artwork_views, bulk_views, library_view, season_views, views

app_name = "library"

urlpatterns = [
    path("", views.library_list, name="list"),
    path("view/", library_view.set_view, name="view"),
    path("bulk/", bulk_views.bulk_action, name="bulk"),
    path("bulk/count/", bulk_views.bulk_count, name="bulk_count"),
    path("bulk/<int:pk>/", bulk_views.bulk_run, name="bulk_run"),
    path(
        "artwork/<str:kind>/<int:pk>/<str:cover>/",
        artwork_views.artwork_image,
        name="artwork",
    ),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/action/", views.series_action, name="series_action"),
    path("series/<int:pk>/season/", season_views.season_action, name="season_action"),
    path("item/<str:kind>/<int:pk>/", views.item_detail, name="item"),
    path("item/<str:kind>/<int:pk>/action/", views.item_action, name="item_action"),
]
