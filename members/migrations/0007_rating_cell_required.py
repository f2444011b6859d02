"""Every rating now has its cell (0006 filled them in its own transaction: on PostgreSQL a column cannot be made
NOT NULL in the transaction that updated its rows while their foreign keys are checked at commit)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_rating_cell")]

    operations = [
        migrations.AlterField(
            model_name="yearrating",
            name="cell",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="unionapp.unit",
                verbose_name="chi đoàn",
            ),
        ),
        migrations.AddIndex(
            model_name="yearrating",
            index=models.Index(fields=["year", "cell", "rating"], name="rating_year_cell"),
        ),
    ]
