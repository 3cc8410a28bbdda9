"""Add EPSG:9210 (VN-2000 / TM-3 105-45) to PostGIS's spatial_ref_sys.

PostGIS 3.3 ships EPSG:3405 and 4756 but not 9210, the CRS of Ho Chi Minh City's cadastral
maps; the schema's generated area columns transform into it, so it must exist first.
PROJ knows the CRS, so its definition comes from pyproj rather than being typed in here.
"""

import warnings

from django.db import migrations

SRID = 9210


def add_srs(apps, schema_editor):
    from pyproj import CRS

    crs = CRS.from_epsg(SRID)
    with warnings.catch_warnings():
        # PROJ warns that a PROJ string is lossy; PostGIS resolves auth_name/auth_srid first.
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
            "VALUES (%s, 'EPSG', %s, %s, %s) ON CONFLICT (srid) DO NOTHING",
            [SRID, SRID, crs.to_wkt("WKT1_GDAL"), proj4],
        )


def remove_srs(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM spatial_ref_sys WHERE srid = %s", [SRID])


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(add_srs, remove_srs)]
