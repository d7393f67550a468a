"""Uploads refused by size before they are read.

Django parses a multipart body as soon as anything reads request.POST (the
CSRF check does), spooling files to disk whatever their size. The views that
take uploads are CSRF-exempt at the decorator and check CSRF themselves after
:func:`limit_upload` has looked at Content-Length and installed a handler that
stops the body at the limit (a chunked request has no Content-Length).
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadTooLarge(ValueError):
    pass


class _LimitHandler(FileUploadHandler):
    def __init__(self, request, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.seen = 0

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def limit_upload(request, limit: int) -> None:
    """Raise UploadTooLarge for a declared size over ``limit``; stop a longer body while read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:  # the form's other fields and the multipart framing
        raise UploadTooLarge(f"The file is larger than the {limit // 1024**2} MB allowed.")
    request.upload_too_large = False
    request.upload_handlers.insert(0, _LimitHandler(request, limit))


def too_large(request) -> bool:
    return bool(getattr(request, "upload_too_large", False))
