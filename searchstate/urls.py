"""The library browser, mounted at /library/ by comradarr.urls.

It lives in searchstate, not content: its pages show and steer search state
(why, search now, exclude, priority), and content never imports searchstate.
"""

from django.urls import path

from searchstate import views

app_name = "library"

urlpatterns = [
    path("", views.library_list, name="list"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/action/", views.series_action, name="series_action"),
    path("item/<str:kind>/<int:pk>/", views.item_detail, name="item"),
    path("item/<str:kind>/<int:pk>/action/", views.item_action, name="item_action"),
]
