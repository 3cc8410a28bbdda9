"""Comparing two periods: the difference surface shows where it got worse."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.heat import HeatError, Points, density_surface, difference, hot_spots

UTM = 32648
FRAME = shapely.box(687_000, 1_194_000, 689_000, 1_196_000)
STEADY = (687_400.0, 1_195_600.0)  # as many reports in both periods
WORSE = (688_600.0, 1_194_400.0)  # three times as many
NEW = (688_500.0, 1_195_700.0)  # only in the later period
GONE = (687_400.0, 1_194_400.0)  # only in the earlier period


def period(counts: dict[tuple[float, float], int], seed: int, **kwargs):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for (x, y), n in counts.items():
        xs.append(rng.normal(x, 25.0, n))
        ys.append(rng.normal(y, 25.0, n))
    points = Points(np.concatenate(xs), np.concatenate(ys), crs=UTM)
    options = {"cell_size": 10, "bandwidth": 60, **kwargs}
    return density_surface(points, FRAME, frame_crs=UTM, **options)


def value_at(surface, xy):
    return float(surface.density[surface.cell_of(*xy)])


def test_the_difference_is_positive_where_it_got_worse_and_negative_where_better():
    earlier = period({STEADY: 100, WORSE: 50, GONE: 80}, seed=1)
    later = period({STEADY: 100, WORSE: 150, NEW: 60}, seed=2)

    change = difference(later, earlier)

    assert change.kind == "difference"
    assert value_at(change, WORSE) > 0.5 * value_at(later, WORSE)
    assert value_at(change, NEW) > 0
    assert value_at(change, GONE) < 0
    assert abs(value_at(change, STEADY)) < 0.25 * value_at(later, STEADY)


def test_the_difference_of_counts_adds_up_to_the_change_in_reports():
    earlier = period({STEADY: 100, WORSE: 50, GONE: 80}, seed=1)
    later = period({STEADY: 100, WORSE: 150, NEW: 60}, seed=2)

    change = difference(later, earlier)

    assert change.total == (100 + 150 + 60) - (100 + 50 + 80)


def test_the_hot_spots_of_the_difference_are_where_it_got_worse():
    earlier = period({STEADY: 100, WORSE: 50, GONE: 80}, seed=1)
    later = period({STEADY: 100, WORSE: 150, NEW: 60}, seed=2)

    spots = hot_spots(difference(later, earlier), 2)

    assert [s.bbox[0] <= WORSE[0] <= s.bbox[2] for s in spots] == [True, False]
    assert [s.bbox[1] <= NEW[1] <= s.bbox[3] for s in spots] == [False, True]
    assert 80 <= spots[0].count <= 120 and 45 <= spots[1].count <= 60


def test_surfaces_on_other_grids_cannot_be_compared():
    earlier = period({STEADY: 10}, seed=1, cell_size=10)
    later = period({STEADY: 10}, seed=2, cell_size=20)

    with pytest.raises(HeatError, match="differ in cell_size"):
        difference(later, earlier)


def test_surfaces_smoothed_alike_are_required():
    earlier = period({STEADY: 10}, seed=1, bandwidth=60)
    later = period({STEADY: 10}, seed=2, bandwidth=120)

    with pytest.raises(HeatError, match="differ in bandwidth"):
        difference(later, earlier)
