"""Contract checks against the committed *arr OpenAPI documents (tests/data/openapi).

Reusable by any test: the client tests check every request the clients send,
the fakearr tests check every response it serves.

- `find_operation(spec, method, path)`: the documented operation for a concrete
  path ("/api/v3/command/12" matches "/api/v3/command/{id}").
- `request_problems(spec, method, url)`: what is wrong with a request (unknown
  path or method, undeclared query parameter, repeated non-array parameter,
  a value that is not of the declared type). Empty list = conforms.
- `validate_response(spec, method, path, status, body)`: validates a JSON body
  against the documented response schema ($ref resolved, OpenAPI 3.0
  `nullable` honoured) and raises ContractError listing every violation.

`spec` is a file stem ("sonarr-v3") or an app alias from SPEC_FOR_APP.
The documents are the authority for names; where docs/arr-api.md records the wire
differing from a document, pass `overlay={"SchemaName": {"prop": schema}}`.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema

OPENAPI_DIR = Path(__file__).resolve().parent / "data" / "openapi"

# Which document describes which app (shape) Comradarr talks to.
SPEC_FOR_APP = {
    "sonarr": "sonarr-v3",
    "radarr": "radarr-v3",
    "whisparr-v2": "whisparr-v3",  # the Whisparr v2 app serves this "v3" API document
    "whisparr-v3": "whisparr-eros-v3",
}

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class ContractError(AssertionError):
    """A request or response does not match the OpenAPI document."""


def spec_file(spec: str) -> str:
    stem = SPEC_FOR_APP.get(spec, spec)
    return stem if stem.endswith(".json") else f"{stem}.json"


@cache
def load_spec(spec: str) -> dict[str, Any]:
    path = OPENAPI_DIR / spec_file(spec)
    if not path.exists():
        raise ContractError(f"No OpenAPI document {path.name} in {OPENAPI_DIR}")
    return json.loads(path.read_text())


@cache
def _path_patterns(spec: str) -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for template in load_spec(spec)["paths"]:
        regex = re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(template))
        patterns.append((template, re.compile(f"^{regex}$")))
    # Literal paths win over templated ones ("/queue/status" over "/queue/{id}").
    patterns.sort(key=lambda item: (item[0].count("{"), -len(item[0])))
    return patterns


def match_path(spec: str, path: str) -> str | None:
    """The document's path template for a concrete path, or None."""
    path = urlsplit(path).path or "/"
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    paths = load_spec(spec)["paths"]
    if path in paths:
        return path
    for template, pattern in _path_patterns(spec):
        if pattern.match(path):
            return template
    return None


def find_operation(spec: str, method: str, path: str) -> tuple[str, dict[str, Any]]:
    template = match_path(spec, path)
    if template is None:
        raise ContractError(f"{spec_file(spec)} has no path matching {path}")
    item = load_spec(spec)["paths"][template]
    operation = item.get(method.lower())
    if operation is None:
        documented = [m.upper() for m in item if m in HTTP_METHODS]
        raise ContractError(
            f"{spec_file(spec)} has {template} but not {method.upper()} (only {documented})"
        )
    return template, operation


def _resolve(spec: str, schema: dict[str, Any] | None) -> dict[str, Any]:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        name = schema["$ref"].split("/")[-1]
        schema = load_spec(spec)["components"]["schemas"][name]
        seen += 1
    return schema or {}


def declared_parameters(spec: str, method: str, path: str) -> dict[str, dict[str, Any]]:
    """name -> parameter object for the query parameters the operation declares."""
    template, operation = find_operation(spec, method, path)
    item = load_spec(spec)["paths"][template]
    params = [*item.get("parameters", []), *operation.get("parameters", [])]
    return {p["name"]: p for p in params if p.get("in") == "query"}


def _value_problem(spec: str, name: str, value: str, schema: dict[str, Any]) -> str | None:
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return f"query parameter {name}={value!r} is not an integer"
    elif kind == "boolean":
        if value not in ("true", "false"):
            return f"query parameter {name}={value!r} is not true/false"
    elif kind == "number":
        try:
            float(value)
        except ValueError:
            return f"query parameter {name}={value!r} is not a number"
    if "enum" in schema:
        allowed = [str(v) for v in schema["enum"]]
        if value not in allowed and not (kind == "string" and value.isdigit()):
            return f"query parameter {name}={value!r} is not one of {allowed}"
    return None


def request_problems(spec: str, method: str, url: str) -> list[str]:
    """Everything about (method, url) the document does not allow; [] when it conforms."""
    parts = urlsplit(url)
    try:
        template, _ = find_operation(spec, method, parts.path)
    except ContractError as exc:
        return [str(exc)]
    declared = declared_parameters(spec, method, template)
    problems: list[str] = []
    counts: dict[str, int] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        counts[name] = counts.get(name, 0) + 1
        param = declared.get(name)
        if param is None:
            problems.append(
                f"{method.upper()} {template}: query parameter {name!r} is not declared "
                f"(declared: {sorted(declared)})"
            )
            continue
        schema = _resolve(spec, param.get("schema"))
        item_schema = schema.get("items", {}) if schema.get("type") == "array" else schema
        problem = _value_problem(spec, name, value, item_schema)
        if problem:
            problems.append(f"{method.upper()} {template}: {problem}")
    for name, count in counts.items():
        param = declared.get(name)
        if param and count > 1 and _resolve(spec, param.get("schema")).get("type") != "array":
            problems.append(f"{method.upper()} {template}: {name!r} repeated but not an array")
    return problems


def assert_request_conforms(spec: str, method: str, url: str) -> None:
    problems = request_problems(spec, method, url)
    if problems:
        raise ContractError("; ".join(problems))


# ------------------------------------------------------------------ schemas


_OPENAPI_ONLY = ("nullable", "example", "xml", "externalDocs", "discriminator", "deprecated")
_OPENAPI_ONLY += ("readOnly",)
# Keys whose value maps names to schemas: a property may be called "deprecated".
_NAME_MAPS = ("properties", "patternProperties", "definitions")


def _to_json_schema(node: Any, *, names: bool = False) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes a null alternative.

    `names`: `node` maps names to schemas (properties, components), so its keys are
    kept even when they spell an OpenAPI keyword.
    """
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: _to_json_schema(value) for key, value in node.items()}
    out = {
        key: _to_json_schema(value, names=key in _NAME_MAPS)
        for key, value in node.items()
        if key not in _OPENAPI_ONLY
    }
    if node.get("nullable"):
        if "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
            return {"anyOf": [out, {"type": "null"}]}
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


@cache
def _schema_root(spec: str, overlay_key: str) -> dict[str, Any]:
    components = copy.deepcopy(load_spec(spec).get("components", {}).get("schemas", {}))
    overlay = json.loads(overlay_key)
    for name, props in overlay.items():
        target = components.setdefault(name, {"type": "object", "properties": {}})
        target.setdefault("properties", {}).update(props)
    return {"components": {"schemas": _to_json_schema(components, names=True)}}


def response_schema(spec: str, method: str, path: str, status: int) -> dict[str, Any] | None:
    """The documented JSON schema of a response, or None when none is documented.

    The specs document POST answers as 200 where the apps send 201 (docs/arr-api.md
    section 8.8), so a 2xx without its own entry uses the documented 200.
    """
    _, operation = find_operation(spec, method, path)
    responses = operation.get("responses", {})
    response = responses.get(str(status))
    if response is None and 200 <= status < 300:
        response = responses.get("200") or responses.get("default")
    if response is None:
        raise ContractError(f"{method.upper()} {path}: status {status} is not documented")
    content = response.get("content") or {}
    media = (
        content.get("application/json")
        or content.get("text/json")
        or next(iter(content.values()), None)
    )
    if not media or "schema" not in media:
        return None
    return media["schema"]


def validate_response(
    spec_name: str,
    method: str,
    path_template_or_path: str,
    status: int,
    body: Any,
    *,
    overlay: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Raise ContractError listing every way `body` differs from the documented schema."""
    schema = response_schema(spec_name, method, path_template_or_path, status)
    if schema is None:
        if body not in (None, "", b""):
            raise ContractError(
                f"{method.upper()} {path_template_or_path} {status}: no response body is documented"
            )
        return
    root = dict(_schema_root(spec_name, json.dumps(overlay or {}, sort_keys=True)))
    root.update(_to_json_schema(schema))
    validator = jsonschema.Draft7Validator(root)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [
            f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message[:300]}"
            for error in errors[:20]
        ]
        raise ContractError(
            f"{spec_file(spec_name)} {method.upper()} {path_template_or_path} {status}: "
            f"{len(errors)} violation(s):\n  " + "\n  ".join(lines)
        )


def schema_properties(spec: str, schema_name: str) -> set[str]:
    """Property names a components schema declares (for 'only documented fields' checks)."""
    schema = load_spec(spec)["components"]["schemas"][schema_name]
    return set(schema.get("properties", {}))
