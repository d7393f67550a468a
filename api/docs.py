"""/api/v1/docs/: browsable docs that work under the strict Content-Security-Policy.

The page holds no data, yet it sits behind sign-in like every page of the
application (the auth mode decides who that is). Its static script
(api/static/js/apidocs.js) fetches the OpenAPI document with a key the user
pastes, so the docs need no key in a URL, no CDN and no inline script.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.generic import TemplateView


class ApiDocsView(LoginRequiredMixin, TemplateView):
    template_name = "api/docs.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "schema_url": reverse("api:schema")}
