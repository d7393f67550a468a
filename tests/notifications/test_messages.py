"""Templates (placeholders checked at save time) and digests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from notifications import catalog
from notifications.messages import absolute_url, build_message, group_titles
from notifications.models import NotificationEvent
from notifications.templating import SAMPLE_CONTEXT, template_render, template_validate

T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def ev(event_type="search_succeeded", connector="Sonarr (Main)", **data) -> NotificationEvent:
    return NotificationEvent(
        event_type=event_type,
        severity=catalog.BY_KEY[event_type].severity,
        connector_name=connector,
        connector_type="Sonarr",
        data=data,
        occurred_at=T0,
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hi {nope}", "Unknown placeholder {nope}"),
        ("{content_title.__class__}", "Unknown placeholder {content_title.__class__}"),
        ("{content_title[0]}", "Unknown placeholder {content_title[0]}"),
        ("{count!r}", "takes no format"),
        ("{count:>10}", "takes no format"),
        ("lone { brace", "lone brace"),
        ("x" * 2001, "2000 characters"),
        ("nul\x00", "NUL"),
    ],
)
def test_bad_templates_refused_with_the_name(template, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("{", r"\{")):
        template_validate(template)


def test_every_default_template_is_valid_and_renders():
    for event in catalog.EVENT_TYPES:
        assert template_validate(event.template) == event.template
        assert "{" not in template_render(event.template, SAMPLE_CONTEXT)


def test_render_fills_placeholders_and_keeps_literal_braces():
    text = template_render("{{literal}} {content_title} ({content_year}) {count}", SAMPLE_CONTEXT)
    assert text == "{literal} The Expanse S02E03 (2017) 12"


def test_group_titles_folds_seasons():
    titles = [f"The Expanse S02E{n:02d} Name" for n in range(1, 9)] + ["Dune (2021)"]
    titles.append("The Expanse S03E01 Other")
    assert group_titles(titles) == [
        "The Expanse S02 (8 episodes)",
        "Dune (2021)",
        "The Expanse S03E01 Other",
    ]


def test_single_event_uses_channel_template():
    message = build_message(
        [ev(titles=["Dune (2021)"], count=1)],
        templates={"search_succeeded": "Got {content_title} via {connector_type} ({count})"},
    )
    assert message.title == "Search succeeded: Sonarr (Main)"
    assert message.body == "Got Dune (2021) via Sonarr (1)"


def test_grabbed_digest_names_first_titles_and_more():
    events = [ev(titles=[f"Movie {n} (2020)"], count=1, list_path="/library/?connector=4")
              for n in range(12)]  # fmt: skip
    message = build_message(events, public_url="https://c.example.com")
    assert message.title == "Search succeeded (12)"
    assert message.body == (
        "12 items grabbed on Sonarr (Main): Movie 0 (2020), Movie 1 (2020), Movie 2 (2020), "
        "Movie 3 (2020), Movie 4 (2020), ... and 7 more https://c.example.com/library/?connector=4"
    )


def test_sweep_digest_counts_across_series():
    events = [
        ev("sweep_completed", episodes=10, series=2, queued=10),
        ev("sweep_completed", episodes=5, series=1, queued=5),
    ]
    message = build_message(events)
    assert message.body.startswith("Found 15 missing episodes across 3 series on Sonarr (Main)")


def test_mixed_types_in_one_message_by_catalog_order_and_worst_severity():
    events = [ev("sync_completed", statistics="1 added"), ev("sync_failed", statistics="boom")]
    message = build_message(events)
    assert message.title == "Comradarr: 2 events"
    assert message.severity == "error" and message.notify_type == "failure"
    assert message.body.index("Sync completed (1)") < message.body.index("Sync failed (1)")


def test_absolute_url(settings):
    assert absolute_url("/comradarr/library/", public_url="https://x.example/any/path") == (
        "https://x.example/comradarr/library/"
    )
    assert absolute_url("/library/", public_url="javascript:alert(1)") == (
        "http://localhost:3000/library/"
    )
    assert absolute_url("", public_url="https://x.example") == ""
