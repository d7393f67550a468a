"""The *arr webhook receiver, mounted at /webhooks/ (left open by the auth middleware).

A trailing slash is optional: the *arr apps post to the URL exactly as typed.
"""

from django.urls import re_path

from content import webhook_views as views

urlpatterns = [
    re_path(
        r"^(?P<connector_id>[0-9]+)/(?P<secret>[A-Za-z0-9_\-]+)/?$",
        views.webhook_receive,
        name="content_webhook",
    ),
    re_path(r"^(?P<connector_id>[0-9]+)/?$", views.webhook_receive, name="content_webhook_basic"),
]
