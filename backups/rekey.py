"""Re-encrypt every stored secret from one SECRET_KEY to this install's.

Used after restoring a backup that carries its key file: the restored rows
are encrypted with the backup's key, and re-encrypting them lets this install
keep its own key (no restart, sessions stay valid).
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from comradarr import crypto
from comradarr.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, pk column, column) of every EncryptedTextField of every installed model."""
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append((model._meta.db_table, model._meta.pk.column, f.column))
    return found


def reencrypt_all(old_secret_key: str) -> int:
    """Re-encrypt every secret from ``old_secret_key`` to the current key; how many."""
    old = crypto.derive_key(old_secret_key)
    quote = connection.ops.quote_name
    changed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table, pk, column in encrypted_columns():
            cursor.execute(
                f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)}"  # noqa: S608
                f" WHERE {quote(column)} <> ''"
            )
            for row_pk, value in cursor.fetchall():
                fresh = crypto.encrypt(crypto.decrypt(value, key=old))
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s"  # noqa: S608
                    f" WHERE {quote(pk)} = %s",
                    [fresh, row_pk],
                )
                changed += 1
    return changed


def reencrypt_document(document: dict, old_secret_key: str) -> None:
    """The same for a configuration document in ``instance`` mode, in place."""
    from backups.configdoc import SPECS

    old = crypto.derive_key(old_secret_key)
    for spec in SPECS:
        secret_names = [
            f.name for f in spec.model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        for row in document["models"].get(spec.label) or []:
            for name in secret_names:
                if row.get(name):
                    row[name] = crypto.encrypt(crypto.decrypt(row[name], key=old))


def drop_document_secrets(document: dict) -> None:
    """Leave a document's secrets out (as the ``omitted`` mode does), in place."""
    from backups.configdoc import SPECS

    for spec in SPECS:
        secret_names = [
            f.name for f in spec.model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        for row in document["models"].get(spec.label) or []:
            for name in secret_names:
                row[name] = None
