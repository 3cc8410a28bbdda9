"""Opening the dashboard never waits for a recomputation: the surface comes from the cache,
says how fresh it is, and the background job (refresh_heatmaps) recomputes it when reports
change. Only the very first request for a small surface computes it on the spot."""

import io

import pytest
from django.core.management import call_command

from tests.leaders.factories import cluster, report_at
from urbanmgmt.leaders import heat

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, office):
    cluster(4)
    client.force_login(office.leader)
    return client


def refresh(*args):
    out = io.StringIO()
    call_command("refresh_heatmaps", *args, "-v", "2", stdout=out)
    return out.getvalue()


def test_the_first_request_computes_a_small_surface_and_says_so(signed_in):
    first = signed_in.get("/leaders/765/")
    second = signed_in.get("/leaders/765/")

    assert first.context["heat"]["state"].computed_now
    assert "computed for this request" in first.content.decode()
    assert not second.context["heat"]["state"].computed_now
    assert second.context["heat"]["entry"].as_of == first.context["heat"]["entry"].as_of


def test_a_new_report_makes_the_surface_stale_until_the_job_runs(signed_in):
    signed_in.get("/leaders/765/")
    report_at(106.695, 10.81)  # filed through the service: its ward is stamped as changed

    stale = signed_in.get("/leaders/765/")

    assert stale.context["heat"]["state"].stale
    assert stale.context["heat"]["entry"].points == 4  # the page did not wait
    assert "Reports have changed since" in stale.content.decode()

    assert "(reports changed)" in refresh("--no-defaults")
    fresh = signed_in.get("/leaders/765/")
    assert not fresh.context["heat"]["state"].stale
    assert fresh.context["heat"]["entry"].points == 5


def test_a_surface_too_large_to_compute_on_the_spot_waits_for_the_job(signed_in, monkeypatch):
    monkeypatch.setattr(heat, "SYNC_MAX_CELLS", 0)

    waiting = signed_in.get("/leaders/765/")

    assert waiting.context["heat"]["entry"] is None
    assert "being prepared in the background" in waiting.content.decode()
    assert signed_in.get("/leaders/heatmap.json", {"unit": "765"}).json() == {
        "ready": False,
        "stale": False,
    }
    assert "(not computed yet)" in refresh("--no-defaults")
    status = signed_in.get("/leaders/heatmap.json", {"unit": "765"}).json()
    assert status["ready"] and status["reports"] == 4
    assert signed_in.get("/leaders/765/").context["heat"]["entry"].points == 4


def test_the_job_warms_every_leaders_default_surfaces(signed_in, office):
    output = refresh()

    # The district leader's district and its two wards (the city leader's city has none).
    assert "3 heat maps recomputed" in output
    assert not signed_in.get("/leaders/26908/").context["heat"]["state"].computed_now


def test_the_job_leaves_fresh_surfaces_alone(signed_in):
    refresh()

    assert "0 heat maps recomputed" in refresh()
    assert "3 heat maps recomputed" in refresh("--force")


def test_the_job_refuses_a_nonsense_interval():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("refresh_heatmaps", "--loop", "0")


def test_an_unreachable_cache_costs_the_stamp_not_the_report(office, monkeypatch, caplog):
    from django.core.cache.backends.redis import RedisCache

    unreachable = RedisCache("redis://127.0.0.1:1/0", {})  # nothing listens there
    monkeypatch.setattr(heat, "_cache", lambda: unreachable)

    heat.mark_changed([office.ward_a.id])

    assert "Could not stamp wards" in caplog.text
