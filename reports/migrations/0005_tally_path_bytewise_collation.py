"""CellTally.path must compare byte by byte, as Unit.path does (unionapp 0002): the reports read a subtree's
rows as one range of it. With the database's collation (vi_VN or en_US, which ignore "/" at the first level)
on PostgreSQL, "/1/2/5/" falls outside the range ["/1/2/", "/1/20") and every report shows 0. The column gets
the "C" collation there; its index is rebuilt with it. SQLite compares text bytewise already."""

from django.db import migrations


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE reports_celltally ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


def back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE reports_celltally ALTER COLUMN path TYPE varchar(255) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_tally_path")]
    operations = [migrations.RunPython(to_c_collation, back)]
