"""Model fields for secrets at rest."""

from __future__ import annotations

from django.db import models

from comradarr import crypto


class EncryptedTextField(models.TextField):
    """Stores a string encrypted with AES-256-GCM; Python code sees plaintext.

    Not searchable or indexable (each encryption uses a fresh nonce). Never put
    one in a form's initial data or an API response: show ``crypto.mask(...)``.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
