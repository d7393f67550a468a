"""The configuration as one JSON document: export, and import onto any install.

What counts as configuration is the list :data:`SPECS`: connectors, throttle
profiles, sweep schedules, search settings and weights, application settings,
notification channels and API keys (their hashes: a key is never stored).
Runtime state (health, pauses, last runs) stays behind. Rows are matched by a
natural key (a connector by name, a channel by name, ...), never by id, so a
document imports onto a fresh install that has its own ids; a field a newer
version added is taken as it is, one the document lacks keeps its default.

Secrets (EncryptedTextField values) travel in one of three ways:
- ``omitted``: left out; an existing row keeps its secret, a new one gets none;
- ``passphrase``: encrypted with a key derived from a passphrase (scrypt);
- ``instance``: the stored ciphertext itself, readable only with the same
  SECRET_KEY (what a backup's config.json holds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from backups import sealing
from comradarr import crypto
from comradarr.fields import EncryptedTextField

DOCUMENT = "comradarr-config"
VERSION = 1
SECRET_MODES = ("omitted", "passphrase", "instance")
#: Larger than any real configuration by far; bounds what an upload makes us parse.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_ALWAYS_EXCLUDED = {"id", "created_at", "updated_at"}


class ConfigError(ValueError):
    """The document cannot be imported; the message says why."""


@dataclass(frozen=True)
class Spec:
    label: str  # app_label.ModelName
    key: tuple[str, ...]  # natural key fields; () = the singleton row pk=1
    exclude: frozenset[str] = frozenset()
    #: Booleans at most one row may have set (a partial unique constraint).
    exclusive: tuple[str, ...] = ()
    #: Rows with no natural key of their own: replaced per parent (this FK) on import.
    replace_by: str = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


_CONNECTOR_STATE = frozenset(
    {"health_status", "health_message", "last_contact_at", "last_health_check_at",
     "consecutive_failures", "app_name", "app_version", "instance_name"}
)  # fmt: skip
_THROTTLE_STATE = frozenset(
    {"paused_until", "pause_reason", "paused_at", "last_dispatch_at", "next_dispatch_at",
     "backoff_level"}
)  # fmt: skip

#: In dependency order: a row's foreign keys point at models listed before it.
SPECS: tuple[Spec, ...] = (
    Spec("comradarr.AppSettings", ()),
    Spec("queueing.GlobalThrottle", ()),
    Spec("queueing.ThrottleProfile", ("name",), exclusive=("is_default",)),
    Spec("connectors.Connector", ("name",), exclude=_CONNECTOR_STATE),
    Spec("queueing.ConnectorThrottle", ("connector",), exclude=_THROTTLE_STATE),
    Spec("searchstate.SearchSettings", ("connector",)),
    Spec("searchstate.PriorityWeights", ()),
    Spec(
        "queueing.SweepSchedule",
        (),
        exclude=frozenset({"last_run_at", "next_run_at"}),
        replace_by="connector",
    ),
    Spec("notifications.NotificationSettings", ()),
    Spec(
        "notifications.NotificationChannel",
        ("name",),
        exclude=frozenset({"health", "consecutive_failures", "last_error", "last_delivery_at"}),
    ),
    Spec("api.ApiKey", ("key_hash",), exclude=frozenset({"last_used_at", "last_used_ip"})),
)


def _fields(spec: Spec) -> list[models.Field]:
    return [
        f
        for f in spec.model._meta.get_fields()
        if getattr(f, "concrete", False)
        and not f.auto_created
        and f.name not in _ALWAYS_EXCLUDED | spec.exclude
    ] + [f for f in spec.model._meta.many_to_many if f.name not in spec.exclude]


def _spec_of(model: type[models.Model]) -> Spec | None:
    return next((s for s in SPECS if s.model is model), None)


def _natural(instance: models.Model) -> Any:
    """How a row is named in the document: its natural key (one value or a list)."""
    spec = _spec_of(type(instance))
    if spec is None or not spec.key:
        return instance.pk
    values = [_natural(getattr(instance, k)) if _is_fk(spec, k) else getattr(instance, k)
              for k in spec.key]  # fmt: skip
    return values[0] if len(values) == 1 else values


def _is_fk(spec: Spec, name: str) -> bool:
    return isinstance(spec.model._meta.get_field(name), models.ForeignKey)


def _raw_ciphertexts(model: type[models.Model], column: str) -> dict[Any, str]:
    """The stored ciphertexts of one encrypted column (no decryption: the key may differ)."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {connection.ops.quote_name(column)} FROM {table}")  # noqa: S608
        return dict(cursor.fetchall())


# ------------------------------------------------------------------ export


def config_export(*, secrets: str = "omitted", passphrase: str = "") -> dict[str, Any]:
    """The configuration as a JSON-ready dict."""
    if secrets not in SECRET_MODES:
        raise ConfigError(f"secrets must be one of {', '.join(SECRET_MODES)}")
    document: dict[str, Any] = {
        "document": DOCUMENT,
        "version": VERSION,
        "app_version": settings.COMRADARR_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "secrets": secrets,
        "models": {},
    }
    key = None
    if secrets == "passphrase":
        key, document["encryption"] = sealing.new_parameters(
            sealing.check_passphrase_text(passphrase)
        )
    for spec in SPECS:
        document["models"][spec.label] = _export_rows(spec, secrets, key)
    return document


def _export_rows(spec: Spec, secrets: str, key: bytes | None) -> list[dict[str, Any]]:
    model = spec.model
    fields = _fields(spec)
    secret_fields = [f for f in fields if isinstance(f, EncryptedTextField)]
    raw = {f.name: _raw_ciphertexts(model, f.column) for f in secret_fields}
    queryset = model._default_manager.all().defer(*[f.name for f in secret_fields])
    rows = []
    for instance in queryset.order_by("pk"):
        row: dict[str, Any] = {}
        for f in fields:
            if isinstance(f, EncryptedTextField):
                row[f.name] = _export_secret(raw[f.name].get(instance.pk) or "", secrets, key)
            elif f.many_to_many:
                row[f.name] = [_natural(t) for t in getattr(instance, f.name).all()]
            elif isinstance(f, models.ForeignKey):
                target = getattr(instance, f.name)
                row[f.name] = None if target is None else _natural(target)
            else:
                row[f.name] = f.value_from_object(instance)
        rows.append(row)
    return json.loads(json.dumps(rows, cls=DjangoJSONEncoder))


def _export_secret(ciphertext: str, secrets: str, key: bytes | None) -> str | None:
    if not ciphertext or secrets == "omitted":
        return None
    if secrets == "instance":
        return ciphertext
    return crypto.encrypt(crypto.decrypt(ciphertext), key=key)


def config_export_bytes(**kwargs) -> bytes:
    return json.dumps(config_export(**kwargs), indent=2, sort_keys=True).encode("utf-8")


# ------------------------------------------------------------------ import


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    #: Rows whose secret the document did not carry ("Connector Sonarr: api_key").
    missing_secrets: list[str] = field(default_factory=list)

    def summary(self) -> str:
        made = sum(self.created.values())
        changed = sum(self.updated.values())
        text = f"{made} created, {changed} updated"
        if self.missing_secrets:
            text += f"; secrets to enter again: {', '.join(self.missing_secrets[:10])}"
        return text


def parse_document(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ConfigError(f"the document is larger than {MAX_DOCUMENT_BYTES // 1024**2} MB")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ConfigError("the file is not a JSON document") from None
    if not isinstance(document, dict) or document.get("document") != DOCUMENT:
        raise ConfigError("the file is not a Comradarr configuration export")
    if not isinstance(document.get("version"), int) or document["version"] > VERSION:
        raise ConfigError(
            f"the document has version {document.get('version')!r}; this Comradarr reads "
            f"version {VERSION} and older"
        )
    if document.get("secrets") not in SECRET_MODES or not isinstance(document.get("models"), dict):
        raise ConfigError("the document is damaged: its secrets mode or models are missing")
    return document


def config_import(document: dict[str, Any], *, passphrase: str = "") -> ImportReport:
    """Create or update every row of the document, in one transaction."""
    mode = document["secrets"]
    key = None
    if mode == "passphrase":
        if not passphrase:
            raise ConfigError("this document's secrets are encrypted: enter its passphrase")
        try:
            key = sealing.key_for(passphrase, document.get("encryption") or {})
        except sealing.WrongPassphrase as exc:
            raise ConfigError(str(exc)) from None
        except sealing.SealBroken as exc:
            raise ConfigError(str(exc)) from None
    report = ImportReport()
    with transaction.atomic():
        for spec in SPECS:
            rows = document["models"].get(spec.label) or []
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ConfigError(f"the document's {spec.label} entry is not a list of rows")
            _import_rows(spec, rows, mode, key, report)
    return report


def _lookup(model: type[models.Model], natural: Any) -> models.Model | None:
    spec = _spec_of(model)
    if spec is None or not spec.key:
        return model._default_manager.filter(pk=natural).first()
    values = natural if isinstance(natural, list) else [natural]
    if len(values) != len(spec.key):
        raise ConfigError(f"{spec.label}: {natural!r} does not name a row")
    criteria = {}
    for name, value in zip(spec.key, values, strict=True):
        if _is_fk(spec, name):
            target = _lookup(spec.model._meta.get_field(name).related_model, value)
            if target is None:
                return None
            criteria[name] = target
        else:
            criteria[name] = value
    secret = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    # Secrets unread: one the current SECRET_KEY cannot decrypt is kept, not an error.
    return model._default_manager.defer(*secret).filter(**criteria).first()


def _import_rows(
    spec: Spec, rows: list[dict], mode: str, key: bytes | None, report: ImportReport
) -> None:
    model = spec.model
    fields = {f.name: f for f in _fields(spec)}
    for flag in spec.exclusive:
        if any(row.get(flag) for row in rows):
            model._default_manager.filter(**{flag: True}).update(**{flag: False})
    if spec.replace_by:
        parents = {
            _resolve_fk(fields[spec.replace_by], row.get(spec.replace_by), spec) for row in rows
        }
        model._default_manager.filter(**{f"{spec.replace_by}__in": parents}).delete()
    for row in rows:
        instance = _existing(spec, row)
        created = instance is None
        if created:
            instance = model(pk=1) if not spec.key and not spec.replace_by else model()
        secrets, many = {}, {}
        for name, value in row.items():
            f = fields.get(name)
            if f is None:
                continue  # a field this version does not have
            if isinstance(f, EncryptedTextField):
                secrets[f] = value
            elif f.many_to_many:
                many[f] = value or []
            elif isinstance(f, models.ForeignKey):
                setattr(instance, f.name, _resolve_fk(f, value, spec))
            else:
                setattr(instance, f.attname, f.to_python(value))
        instance.save()
        _apply_secrets(instance, secrets, mode, key, created, report)
        for f, names in many.items():
            targets = [_lookup(f.related_model, n) for n in names]
            getattr(instance, f.name).set([t for t in targets if t is not None])
        bucket = report.created if created else report.updated
        bucket[spec.label] = bucket.get(spec.label, 0) + 1


def _existing(spec: Spec, row: dict) -> models.Model | None:
    if spec.replace_by:
        return None
    if not spec.key:
        return _lookup(spec.model, 1)
    values = [row.get(k) for k in spec.key]
    return _lookup(spec.model, values[0] if len(values) == 1 else values)


def _resolve_fk(f: models.ForeignKey, value: Any, spec: Spec) -> models.Model | None:
    if value is None:
        return None
    target = _lookup(f.related_model, value)
    if target is None and not f.null:
        raise ConfigError(f"{spec.label}: {f.name} {value!r} is not in the document")
    return target


def _apply_secrets(instance, secrets: dict, mode: str, key, created: bool, report) -> None:
    for f, value in secrets.items():
        if not value:
            if mode == "omitted" or value is None:
                report.missing_secrets.append(f"{instance}: {f.verbose_name}")
            continue
        if mode == "passphrase":
            try:
                stored = crypto.encrypt(crypto.decrypt(value, key=key))
            except crypto.DecryptionError:
                raise ConfigError(f"a secret of {instance} was altered") from None
        else:
            stored = value  # instance mode: the ciphertext as it was stored
        table = connection.ops.quote_name(instance._meta.db_table)
        column = connection.ops.quote_name(f.column)
        pk = connection.ops.quote_name(instance._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                [stored, instance.pk],
            )
