"""Add EPSG:9210 (VN-2000 / TM-3 105-45) and our area projection to spatial_ref_sys.

PostGIS 3.3 ships EPSG:3405 and 4756 but not 9210, the CRS of Ho Chi Minh City's cadastral
maps; the schema's generated area columns transform into it, so it must exist first.
PROJ knows the CRS, so its definition comes from pyproj rather than being typed in here.

SRID 909210 is the same transverse Mercator (central meridian 105°45′, scale 0.9999) on the
WGS 84 ellipsoid without VN-2000's Helmert datum shift. Areas are what it is for: a shift
moves a parcel but hardly changes its area (about 2 ppm), and it is three times cheaper for
PostGIS to compute, which matters when a million parcels are imported.
"""

import warnings

from django.db import migrations

SRID = 9210
AREA_SRID = 909210
AREA_PROJ4 = "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs"


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
        cursor.execute(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
            "VALUES (%s, 'urbanmgmt', %s, NULL, %s) ON CONFLICT (srid) DO NOTHING",
            [AREA_SRID, AREA_SRID, AREA_PROJ4],
        )


def remove_srs(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM spatial_ref_sys WHERE srid IN (%s, %s)", [SRID, AREA_SRID])


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(add_srs, remove_srs)]
