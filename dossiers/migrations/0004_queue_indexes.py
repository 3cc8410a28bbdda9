"""Indexes of the officer's queue: open dossiers in deadline order, and nearest first.

The GiST index is written in SQL: GeoDjango's schema editor leaves out the condition of an
index on a geometry field, and a full index would walk closed dossiers too.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_seed_procedures")]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", [2, 4, 5, 6])),
                fields=["deadline", "id"],
                name="dossier_open_by_deadline",
            ),
        ),
        migrations.RunSQL(
            "CREATE INDEX dossier_open_location_gist ON dossiers_dossier USING gist (location) "
            "WHERE status IN (2, 4, 5, 6)",
            "DROP INDEX dossier_open_location_gist",
        ),
    ]
