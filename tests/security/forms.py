"""The POST forms of the web UI, discovered by rendering every page of the URLconf.

No list to maintain: every route is rendered signed in with the real ids of a
populated install (conftest.candidate_paths), and every <form method="post">
(or hx-post) found in the HTML is returned with its action and field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Form:
    action: str
    page: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> value as rendered
    htmx: bool = False  # the page posts it with htmx too

    @property
    def key(self) -> tuple:
        return (self.action, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            method = values.get("method", "get").lower()
            target = values.get("hx-post") or (values.get("action") if method == "post" else None)
            if method == "post" or values.get("hx-post"):
                action = urlsplit(urljoin(self.page, target or self.page)).path
                self._current = Form(action=action, page=self.page, htmx="hx-post" in values)
            return
        if self._current is None:
            return
        name = values.get("name")
        if tag in ("input", "textarea", "button") and name:
            if tag == "input" and values.get("type") in ("checkbox", "radio"):
                self._current.fields.setdefault(name, values.get("value", "on"))
            else:
                self._current.fields.setdefault(name, values.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._current.fields.setdefault(name, "")
        elif tag == "option" and self._select and not self._current.fields[self._select]:
            self._current.fields[self._select] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None
        elif tag == "select":
            self._select = None


def forms_in(html: str, page: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms
