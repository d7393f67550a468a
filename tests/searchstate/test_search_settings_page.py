"""Settings > Search behaviour (issue 15): weights, per-connector settings, the ranking example."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from searchstate import priority
from searchstate.models import PriorityWeights, SearchSettings
from searchstate.ranking_preview import ranking_preview
from searchstate.settings_forms import SECTIONS, SETTINGS, TOGGLE_HELP, WEIGHTS
from tests.searchstate import builders

pytestmark = pytest.mark.django_db

HOSTILE = {
    "markup": "<script>alert(1)</script>",
    "nan": "nan",
    "inf": "inf",
    "huge": "9" * 400,
    "NUL": "1\x00",
    "negative": "-5",
    "empty": "",
}


@pytest.fixture
def signed_in(admin_client) -> Client:
    return admin_client


def weights_data(**changes) -> dict:
    data = {name: getattr(priority.Weights, name) for name in WEIGHTS}
    data.update(changes)
    return data


def settings_data(row: SearchSettings, **changes) -> dict:
    data = model_to_dict(row, fields=[*TOGGLE_HELP, *SETTINGS])
    data = {k: v for k, v in data.items() if v is not False}  # an unticked box is not posted
    data.update(changes)
    return data


@pytest.fixture
def library(db):
    """A Sonarr with an old and a new missing episode, and a Radarr with an upgrade."""
    sonarr = builders.connector("Sonarr")
    show = builders.series(sonarr, "Severance")
    old = builders.episode(show, 1, aired=builders.NOW.replace(year=2016))
    new = builders.episode(show, 2, aired=builders.NOW.replace(year=2026, month=11, day=1))
    radarr = builders.connector("Radarr", kind="radarr")
    heat = builders.movie(radarr, "Heat", has_file=True, quality_cutoff_not_met=True)
    return {"sonarr": sonarr, "radarr": radarr, "old": old, "new": new, "heat": heat}


def test_every_field_of_the_models_has_a_place_on_the_page():
    """Nothing stays admin-only: every editable field of both models is in a form section."""
    weight_fields = {f.name for f in PriorityWeights._meta.fields} - {"id"}
    assert set(WEIGHTS) == weight_fields == set(priority.Weights.__dataclass_fields__)
    setting_fields = {f.name for f in SearchSettings._meta.fields} - {
        "id",
        "connector",
        "created_at",
        "updated_at",
    }
    assert {name for _, names in SECTIONS for name in names} == setting_fields


def test_a_stored_weights_row_reaches_the_engine():
    """The row once lacked `findability`, and PriorityWeights.current() raised on any saved row."""
    PriorityWeights.objects.create(pk=1, recency=123, findability=7)
    weights = PriorityWeights.current()
    assert (weights.recency, weights.findability) == (123, 7)


def test_page_shows_both_forms_and_the_example(signed_in, library):
    response = signed_in.get(reverse("settings_search"))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["tab"] == "search"
    for name in [*WEIGHTS, *SETTINGS]:
        assert f'name="{name}"' in body
    assert 'hx-post="/settings/search/preview/"' in body
    assert "Severance S01E01" in body and "Heat" in body
    # The first connector by name is selected; the other one is a link.
    assert response.context["connector"] == library["radarr"]
    assert f"?connector={library['sonarr'].pk}" in body
    assert "Radarr's app has no season packs" in body  # movies come one by one


def test_saving_weights_applies_to_the_next_ranking(signed_in, library):
    response = signed_in.post(reverse("settings_search"), weights_data(upgrade_base=5000))
    assert response.status_code == 302
    assert PriorityWeights.current().upgrade_base == 5000
    page = signed_in.get(reverse("settings_search"))
    assert "Priority weights saved" in page.content.decode()
    assert page.context["preview"].rows[0].label == "Heat"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"recency_half_life_days": "0"}, "recency_half_life_days", "lowest value is 1"),
        ({"gap_base": "abc"}, "gap_base", "Enter a number from 0 to 10000"),
        ({"gap_base": ""}, "gap_base", "Enter a number"),
        ({"user": "101"}, "user", "highest value is 100"),
        ({"attempt_penalty": "100", "attempt_penalty_cap": "50"}, "attempt_penalty_cap", "below"),
        *[({"recency": v}, "recency", "") for v in HOSTILE.values()],
    ],
)
def test_bad_weights_are_refused_and_nothing_changes(signed_in, changes, field, message):
    PriorityWeights.objects.create(pk=1, recency=250)
    data = weights_data(**{"recency": 250, **changes})
    response = signed_in.post(reverse("settings_search"), data)
    assert response.status_code == 200
    errors = response.context["weights_form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert PriorityWeights.current().recency == 250
    # The other values typed are still on the page.
    assert 'name="gap_base" value="1000.0"' in response.content.decode() or field == "gap_base"


def test_missing_weight_fields_are_refused(signed_in):
    response = signed_in.post(reverse("settings_search"), {"gap_base": "10"})
    assert response.status_code == 200
    assert set(response.context["weights_form"].errors) == set(WEIGHTS) - {"gap_base"}
    assert not PriorityWeights.objects.exists()


def test_connector_settings_save(signed_in, library):
    sonarr = library["sonarr"]
    url = reverse("settings_search_connector", args=[sonarr.pk])
    data = settings_data(
        SearchSettings.for_connector(sonarr), max_attempts=3, cooldown_hours=12, gaps_enabled=""
    )
    data.pop("gaps_enabled")
    response = signed_in.post(url, data)
    assert response.status_code == 302, response.context["settings_form"].errors
    assert response["Location"].endswith(f"?connector={sonarr.pk}#connector-settings")
    row = SearchSettings.objects.get(connector=sonarr)
    assert (row.max_attempts, row.cooldown_hours, row.gaps_enabled) == (3, 12, False)
    assert not SearchSettings.objects.filter(connector=library["radarr"]).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cooldown_hours": "48", "cooldown_cap_hours": "24"}, "cooldown_cap_hours", "shorter"),
        ({"fresh_cooldown_hours": "30", "cooldown_hours": "24"}, "fresh_cooldown_hours", "shorter"),
        ({"pack_min_ratio": "1.5"}, "pack_min_ratio", "highest value is 1"),
        ({"max_attempts": "0"}, "max_attempts", "lowest value is 1"),
        ({"max_attempts": "2.5"}, "max_attempts", "whole number"),
        ({"batch_size": "101"}, "batch_size", "highest value is 100"),
        ({"backoff_multiplier": "0.5"}, "backoff_multiplier", "lowest value is 1"),
        *[({"max_attempts": v}, "max_attempts", "") for v in HOSTILE.values()],
    ],
)
def test_bad_connector_settings_are_refused_and_nothing_changes(
    signed_in, library, changes, field, message
):
    sonarr = library["sonarr"]
    SearchSettings.objects.create(connector=sonarr, max_attempts=7)
    before = model_to_dict(SearchSettings.objects.get(connector=sonarr))
    data = settings_data(SearchSettings.for_connector(sonarr), **changes)
    response = signed_in.post(reverse("settings_search_connector", args=[sonarr.pk]), data)
    assert response.status_code == 200
    errors = response.context["settings_form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert model_to_dict(SearchSettings.objects.get(connector=sonarr)) == before
    body = response.content.decode()
    assert "Nothing was saved" in body
    # The page stays on the connector being edited.
    assert response.context["connector"] == sonarr


def test_unknown_connector_is_404(signed_in, library):
    url = reverse("settings_search_connector", args=[999_999])
    assert signed_in.post(url, {}).status_code == 404
    prowlarr = builders.connector("Prowlarr", kind="prowlarr")  # never searched
    url = reverse("settings_search_connector", args=[prowlarr.pk])
    assert signed_in.post(url, settings_data(SearchSettings())).status_code == 404
    assert not SearchSettings.objects.exists()
    assert prowlarr not in signed_in.get(reverse("settings_search")).context["connectors"]
    assert signed_in.get(reverse("settings_search"), {"connector": "999999"}).status_code == 404
    assert signed_in.get(reverse("settings_search"), {"connector": "<x>"}).status_code == 404


def test_preview_ranks_with_the_posted_weights_and_saves_nothing(signed_in, library):
    url = reverse("settings_search_preview")
    default = signed_in.post(url, weights_data())
    labels = [row.label for row in default.context["preview"].rows]
    assert labels[:2] == ["Severance S02E01", "Severance S01E01"]
    assert labels[-1] == "Heat"  # an upgrade starts below every gap
    boosted = signed_in.post(url, weights_data(upgrade_base=5000))
    assert boosted.context["preview"].rows[0].label == "Heat"
    assert not PriorityWeights.objects.exists()
    body = boosted.content.decode()
    assert "<html" not in body  # the fragment alone
    assert "base +5000" in body


def test_preview_scores_like_the_engine(library):
    """The example's scores are discovery's own, not a second formula."""
    from searchstate.discovery import DiscoveryContext, discover
    from searchstate.states import SearchType

    weights = priority.Weights(recency=777, gap_base=10)
    shown = ranking_preview(weights, now=builders.NOW)
    ctx = DiscoveryContext(
        connector=library["sonarr"],
        settings=SearchSettings.for_connector(library["sonarr"]),
        now=builders.NOW,
        weights=weights,
    )
    engine = {c.label: c.score for c in discover(ctx, SearchType.GAP).candidates}
    for row in shown.rows:
        if row.where == "Sonarr":
            assert row.score == engine[row.label]
    assert not shown.samples


@pytest.mark.parametrize("value", HOSTILE.values())
def test_preview_with_hostile_input_explains_instead_of_failing(signed_in, value):
    response = signed_in.post(reverse("settings_search_preview"), weights_data(gap_base=value))
    assert response.status_code == 200
    assert response.context["preview"] is None
    body = response.content.decode()
    assert "Fix the highlighted values" in body
    assert "<script>alert" not in body


def test_preview_with_an_empty_library_shows_labelled_samples(signed_in):
    response = signed_in.post(reverse("settings_search_preview"), weights_data())
    preview = response.context["preview"]
    assert preview.samples and all(row.label.startswith("Sample: ") for row in preview.rows)
    assert preview.rows[-1].label == "Sample: announced movie, not released yet"
    assert "made-up examples" in response.content.decode()


def test_preview_query_count_is_bounded(signed_in, library, django_assert_max_num_queries):
    for n in range(30):
        builders.episode(builders.series(library["sonarr"], f"Show {n}"), 1)
    with django_assert_max_num_queries(40):
        signed_in.post(reverse("settings_search_preview"), weights_data())


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "settings_search", []),
        ("post", "settings_search", []),
        ("post", "settings_search_preview", []),
        ("post", "settings_search_connector", [1]),
    ],
)
def test_everything_needs_sign_in(client, method, name, args):
    response = getattr(client, method)(reverse(name, args=args), weights_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not PriorityWeights.objects.exists()


def test_posts_need_the_csrf_token(admin_user, library):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    sonarr = library["sonarr"]
    for url in (
        reverse("settings_search"),
        reverse("settings_search_preview"),
        reverse("settings_search_connector", args=[sonarr.pk]),
    ):
        assert client.post(url, weights_data(gap_base=1)).status_code == 403
    assert not PriorityWeights.objects.exists()


def test_saved_settings_reach_the_engine_without_a_restart(signed_in, library):
    """The engine reads both rows at each sweep or "why": a save applies from the next one."""
    from searchstate.why import why

    before = why(library["old"]).score.parts["base"]
    signed_in.post(reverse("settings_search"), weights_data(gap_base=4321))
    assert (before, why(library["old"]).score.parts["base"]) == (1000, 4321)

    sonarr = library["sonarr"]
    data = settings_data(SearchSettings.for_connector(sonarr), grace_period_hours=0)
    signed_in.post(reverse("settings_search_connector", args=[sonarr.pk]), data)
    assert SearchSettings.for_connector(sonarr).grace.total_seconds() == 0
