"""/api/v1/docs/: browsable docs that work under the strict Content-Security-Policy.

The page holds no data: its static script (api/static/js/apidocs.js) fetches the
OpenAPI document with a key the user pastes, so the docs need no key in a URL,
no CDN and no inline script.
"""

from __future__ import annotations

from django.urls import reverse
from django.views.generic import TemplateView


class ApiDocsView(TemplateView):
    template_name = "api/docs.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "schema_url": reverse("api:schema")}
