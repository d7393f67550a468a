"""The schedule builder writes the cron a user means, and reads back what it wrote."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from queueing import cron
from queueing.cron_builder import Mode, Recurrence, recurrence_from_cron

CASES = [
    (Recurrence(Mode.MINUTES, every=15), "*/15 * * * *"),
    (Recurrence(Mode.HOURS, every=1, minute=0), "0 * * * *"),
    (Recurrence(Mode.HOURS, every=6, minute=20), "20 */6 * * *"),
    (Recurrence(Mode.DAILY, hour=3, minute=5), "5 3 * * *"),
    (Recurrence(Mode.WEEKLY, hour=2, minute=30, weekdays=[1, 2, 3, 4, 5]), "30 2 * * 1-5"),
    (Recurrence(Mode.WEEKLY, hour=23, minute=59, weekdays=[0, 6]), "59 23 * * 0,6"),
    (Recurrence(Mode.WEEKLY, hour=8, minute=0, weekdays=[1, 3, 4, 5, 0]), "0 8 * * 0-1,3-5"),
    (Recurrence(Mode.MONTHLY, hour=4, minute=0, day=28), "0 4 28 * *"),
]


@pytest.mark.parametrize(("recurrence", "expected"), CASES)
def test_each_mode_writes_a_valid_cron_and_reads_it_back(recurrence, expected):
    written = recurrence.to_cron()
    assert written == expected
    assert cron.cron_validate(written) == written
    back = recurrence_from_cron(written)
    assert back.mode == recurrence.mode
    assert back.to_cron() == written


def test_weekdays_at_0230_in_words():
    written = Recurrence(Mode.WEEKLY, hour=2, minute=30, weekdays=[1, 2, 3, 4, 5]).to_cron()
    assert "02:30" in cron.cron_describe(written)
    assert "Monday through Friday" in cron.cron_describe(written)


@pytest.mark.parametrize(
    "expression",
    ["*/7 * * * *", "0 */5 * * *", "0 0 31 * *", "0 0 * 1 *", "0 0 1,15 * *", "nonsense", ""],
)
def test_shapes_the_builder_cannot_say_open_as_custom(expression):
    assert recurrence_from_cron(expression).mode == Mode.CUSTOM


@pytest.mark.parametrize(
    ("recurrence", "message"),
    [
        (Recurrence(Mode.MINUTES, every=7), "Every N minutes"),
        (Recurrence(Mode.HOURS, every=5), "Every N hours"),
        (Recurrence(Mode.DAILY, hour=24), "hour"),
        (Recurrence(Mode.DAILY, minute=60), "minute"),
        (Recurrence(Mode.WEEKLY, weekdays=[]), "at least one day"),
        (Recurrence(Mode.WEEKLY, weekdays=[7]), r"0 \(Sunday\) to 6"),
        (Recurrence(Mode.MONTHLY, day=31), "between 1 and 28"),
        (Recurrence("fortnightly"), "how often"),
    ],
)
def test_bad_choices_are_refused_with_a_reason(recurrence, message):
    with pytest.raises(ValidationError, match=message):
        recurrence.to_cron()
