from django.conf import settings
from django.http import HttpRequest


def app(request: HttpRequest) -> dict:
    return {"COMRADARR_VERSION": settings.COMRADARR_VERSION, "BASE_URL": settings.BASE_URL}
