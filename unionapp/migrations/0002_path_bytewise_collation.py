"""Unit.path must compare byte by byte for the range scans of Unit.subtree_q().

SQLite compares text bytewise already. PostgreSQL uses the database's collation,
which for vi_VN or en_US ignores "/" at the first level, so the column gets the
"C" collation there (the index is rebuilt with it).
"""

from django.db import migrations


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE unionapp_unit ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


def back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE unionapp_unit ALTER COLUMN path TYPE varchar(255) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("unionapp", "0001_initial")]
    operations = [migrations.RunPython(to_c_collation, back)]
