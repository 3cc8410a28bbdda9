"""Background commands run once, or as a service that survives a failing pass."""

import io

import pytest
from django.core.management import CommandError, call_command

from urbanmgmt.management.repeat import repeat


class Stop(BaseException):
    """Ends a loop in a test (not an Exception, so the loop does not swallow it)."""


def sleeps_then_stops(after: int):
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == after:
            raise Stop

    return slept, sleep


def test_without_a_loop_the_pass_runs_once():
    passes = []

    repeat(None, lambda: passes.append(1), sleep=lambda s: pytest.fail("slept"))

    assert passes == [1]


def test_a_loop_runs_a_pass_every_period(db):
    passes = []
    slept, sleep = sleeps_then_stops(after=3)

    with pytest.raises(Stop):
        repeat(60, lambda: passes.append(1), sleep=sleep)

    assert passes == [1, 1, 1]
    assert slept == [60, 60, 60]


def test_a_failing_pass_is_reported_and_the_loop_goes_on(db):
    outcomes = iter([ValueError("database restarting"), None, None])
    stderr = io.StringIO()
    passes = []

    def one_pass():
        passes.append(1)
        failure = next(outcomes)
        if failure:
            raise failure

    _slept, sleep = sleeps_then_stops(after=3)
    with pytest.raises(Stop):
        repeat(5, one_pass, stderr=stderr, sleep=sleep)

    assert len(passes) == 3
    assert "ValueError: database restarting" in stderr.getvalue()


def test_without_a_loop_a_failing_pass_fails_the_command():
    def one_pass():
        raise ValueError("broken")

    with pytest.raises(ValueError):
        repeat(None, one_pass)


@pytest.mark.parametrize("command", ["dossiers_daily", "refresh_heatmaps"])
@pytest.mark.parametrize("seconds", ["0", "-5"])
def test_a_loop_needs_a_positive_period(db, command, seconds):
    with pytest.raises(CommandError, match="positive number of seconds"):
        call_command(command, "--loop", seconds)


def test_the_dossiers_daily_loop_runs_for_today_only(db):
    with pytest.raises(CommandError, match="--date and --loop"):
        call_command("dossiers_daily", "--date", "2025-03-28", "--loop", "3600")
