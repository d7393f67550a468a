"""How the OpenAPI document describes the key authentication (loaded by ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = ["ApiKeyHeader", "BearerKey"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            {"type": "http", "scheme": "bearer"},
        ]

    def get_security_requirement(self, auto_schema):
        # Either header will do: two requirements (OR), not one with both (AND).
        return [{"ApiKeyHeader": []}, {"BearerKey": []}]
