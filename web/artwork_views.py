"""/library/artwork/<kind>/<pk>/<cover>/: a mirrored item's poster or fanart (web.artwork).

The image comes with an ETag and a private max-age, so a browser revalidates
with If-None-Match and gets 304 without the bytes. When there is nothing to
show (no such cover, the app down and nothing cached) the answer is a short-lived
redirect to a neutral placeholder among the static files, never an error page
in place of an image.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET

from web import artwork

#: Browsers keep a cover a day before revalidating it (304 while it is unchanged).
IMAGE_MAX_AGE = 24 * 3600
#: A placeholder is asked for again soon: the app may be back, the cover fetched.
PLACEHOLDER_MAX_AGE = 300
PLACEHOLDERS = {"poster": "img/artwork-poster.svg", "fanart": "img/artwork-fanart.svg"}


@login_required
@require_GET
def artwork_image(request: HttpRequest, kind: str, pk: int, cover: str) -> HttpResponse:
    if kind not in artwork.KINDS or cover not in artwork.COVERS:
        raise Http404("No such artwork.")
    target = artwork.target_of(kind, pk)
    if target is None:
        raise Http404("No such item in the mirror.")
    image = artwork.artwork_get(target=target, cover=cover)
    if image is None:
        response = redirect(static(PLACEHOLDERS[cover]))
        patch_cache_control(response, private=True, max_age=PLACEHOLDER_MAX_AGE)
        return response
    if image.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(image.content, content_type=image.content_type)
    response["ETag"] = image.etag
    patch_cache_control(response, private=True, max_age=IMAGE_MAX_AGE)
    return response
