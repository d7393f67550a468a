"""The connector page's Indexers card: its read model and the match override.

A library connector's card shows each indexer it searches (limit, used, left,
when the window frees room, status) and which one binds its allowance, with a
form to confirm or override the application it was matched to. An indexer
manager's card lists all of its indexers and when it was last read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from connectors.indexers import indexer_link_reset, indexer_link_set
from connectors.models import Connector, IndexerApplication, IndexerLink, IndexerManagerState
from queueing import indexer_budget

AUTO, NONE = "auto", "none"


@dataclass
class IndexersCard:
    is_manager: bool
    budget: indexer_budget.Budget | None = None
    rows: list[indexer_budget.IndexerRow] = field(default_factory=list)
    state: IndexerManagerState | None = None
    link: IndexerLink | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    current: str = AUTO
    has_manager: bool = False


def indexers_card(*, connector: Connector, now: datetime) -> IndexersCard:
    if not connector.is_library:
        return IndexersCard(
            is_manager=True,
            rows=indexer_budget.manager_rows(connector.pk, now=now),
            state=indexer_budget.manager_state(connector.pk),
            has_manager=True,
        )
    link = IndexerLink.objects.select_related("application").filter(connector=connector).first()
    budget = indexer_budget.connector_budget(connector.pk, now=now)
    current = AUTO
    if link is not None and link.source == IndexerLink.Source.USER and link.application_id:
        current = str(link.application_id)
    elif link is not None and link.source == IndexerLink.Source.NONE:
        current = NONE
    return IndexersCard(
        is_manager=False,
        budget=budget,
        rows=list(budget.rows),
        link=link,
        choices=link_choices(),
        current=current,
        has_manager=Connector.objects.indexer_managers().exists(),
    )


def link_choices() -> list[tuple[str, str]]:
    choices = [(AUTO, "Match by URL"), (NONE, "None: the throttle profile alone")]
    for app in indexer_budget.applications_of():
        choices.append((str(app.pk), f"{app.manager.name}: {app.name} ({app.base_url})"))
    return choices


class IndexerLinkForm(forms.Form):
    choice = forms.ChoiceField(label="Prowlarr application")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = link_choices()

    def application(self) -> IndexerApplication | None:
        value = self.cleaned_data["choice"]
        if value in (AUTO, NONE):
            return None
        return IndexerApplication.objects.filter(pk=int(value)).first()


@login_required
@require_POST
def indexer_link(request: HttpRequest, connector_pk: int) -> HttpResponse:
    """Confirm or override which Prowlarr application a library connector is."""
    connector = get_object_or_404(Connector, pk=connector_pk)
    target = reverse("connectors:detail", args=[connector.pk]) + "#indexers"
    if not connector.is_library:
        messages.error(request, f"{connector.name} is an indexer manager, not a library.")
        return redirect(target)
    form = IndexerLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: choose one of the listed applications.")
        return redirect(target)
    choice = form.cleaned_data["choice"]
    if choice == AUTO:
        link = indexer_link_reset(connector=connector)
        found = link.application.name if link.application else "no application"
        messages.success(request, f"{connector.name} is matched by URL ({found}).")
    else:
        application = form.application()
        if choice != NONE and application is None:
            messages.error(request, "Not saved: that application is gone; refresh the page.")
            return redirect(target)
        indexer_link_set(connector=connector, application=application)
        name = application.name if application else "no indexer manager"
        messages.success(request, f"{connector.name} now uses {name}.")
    return redirect(target)
