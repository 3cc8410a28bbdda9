"""Points for a heat map read from PostGIS, by SQL with bound parameters or from a queryset."""

from __future__ import annotations

import numpy as np
import pytest
from django.contrib.gis.db.models.functions import Centroid

from gis.heat import HeatError, points_from_queryset, points_from_sql
from gis.models import AdminUnit

ROW_OF_POINTS = """
    SELECT ST_SetSRID(ST_MakePoint(106.70 + i * 0.001, 10.80), 4326) AS geom, i AS weight
    FROM generate_series(1, %s) AS i"""


@pytest.mark.django_db
def test_points_are_read_in_lon_lat_with_bound_parameters():
    points = points_from_sql(ROW_OF_POINTS, [5])

    assert points.crs == 4326 and points.weight is None
    np.testing.assert_allclose(np.sort(points.x), 106.70 + np.arange(1, 6) * 0.001)
    np.testing.assert_allclose(points.y, 10.80)


@pytest.mark.django_db
def test_points_of_another_srid_are_brought_to_lon_lat():
    sql = "SELECT ST_Transform(ST_SetSRID(ST_MakePoint(106.71, 10.81), 4326), 32648)"

    points = points_from_sql(sql)

    np.testing.assert_allclose([points.x[0], points.y[0]], [106.71, 10.81], atol=1e-9)


@pytest.mark.django_db
def test_weights_come_with_their_points():
    points = points_from_sql(ROW_OF_POINTS, [4], weighted=True)

    order = np.argsort(points.x)
    np.testing.assert_array_equal(points.weight[order], [1, 2, 3, 4])


@pytest.mark.django_db
def test_a_missing_weight_is_refused_rather_than_read_as_zero():
    sql = "SELECT ST_SetSRID(ST_MakePoint(106.7, 10.8), 4326), NULL::float8"

    with pytest.raises(HeatError, match="weights must be finite"):
        points_from_sql(sql, weighted=True)


@pytest.mark.django_db
def test_no_rows_give_no_points():
    points = points_from_sql(ROW_OF_POINTS, [0])

    assert len(points) == 0


@pytest.mark.django_db
def test_points_are_read_from_a_queryset(district):
    units = AdminUnit.objects.filter(code__in=[district["ward_a"].code, district["ward_b"].code])

    points = points_from_queryset(units.annotate(center=Centroid("geom")), field="center")

    assert len(points) == 2
    expected = sorted(u.geom.centroid.x for u in units)
    np.testing.assert_allclose(np.sort(points.x), expected)


@pytest.mark.django_db
def test_empty_and_missing_locations_are_skipped():
    sql = """SELECT ST_GeomFromText('POINT EMPTY', 4326) UNION ALL SELECT NULL::geometry
             UNION ALL SELECT ST_SetSRID(ST_MakePoint(106.7, 10.8), 4326)"""

    points = points_from_sql(sql)

    assert (points.x.tolist(), points.y.tolist()) == ([106.7], [10.8])
