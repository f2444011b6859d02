"""Each rating records the cell that rated the member, so a year's results per unit are read from the ratings'
own index (the province's took 160-180 ms joining 110.000 ratings to 157.000 members) and stay those its cells
reported when members move on. Existing ratings take their member's cell of today."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_search_trigram"),
        ("unionapp", "0004_temporary_password"),
    ]

    operations = [
        migrations.AddField(
            model_name="yearrating",
            name="cell",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="unionapp.unit",
                verbose_name="chi đoàn",
            ),
        ),
        migrations.RunSQL(
            "UPDATE members_yearrating SET cell_id = "
            "(SELECT m.cell_id FROM members_member m WHERE m.id = members_yearrating.member_id)",
            migrations.RunSQL.noop,
        ),
    ]
