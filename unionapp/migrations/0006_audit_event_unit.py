import django.db.models.deletion
from django.db import migrations, models
from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast

# The unit each existing event concerns, as ``unionapp.audit.unit_id_of`` gives it for new ones: (the object's
# type, its model, the field naming its unit). Events of records deleted since keep no unit.
SOURCES = [
    ("unionapp.unit", "unionapp", "Unit", "id"),
    ("members.member", "members", "Member", "cell_id"),
    ("referrals.referral", "referrals", "Referral", "cell_id"),
    ("members.importbatch", "members", "ImportBatch", "cell_scope_id"),
    ("reports.target", "reports", "Target", "unit_id"),
]


def fill_units(apps, schema_editor):
    AuditEvent = apps.get_model("unionapp", "AuditEvent")
    for object_type, app, model, field in SOURCES:
        Model = apps.get_model(app, model)
        source = Model.objects.filter(pk=Cast(OuterRef("object_id"), IntegerField())).values(field)[:1]
        AuditEvent.objects.filter(object_type=object_type).exclude(object_id="").update(unit_id=Subquery(source))


def split_ratings(apps, schema_editor):
    """A cell's ratings were recorded as {"ratings": [year, count]}, which a log reads as a change from the year
    to the count; now {"ratings": year, "rated": count}."""
    AuditEvent = apps.get_model("unionapp", "AuditEvent")
    for event in AuditEvent.objects.filter(object_type="", action="change").exclude(changes={}):
        value = event.changes.get("ratings")
        if isinstance(value, list) and len(value) == 2:
            event.changes = {**event.changes, "ratings": value[0], "rated": value[1]}
            event.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("unionapp", "0005_form_submission"),
        ("members", "0008_member_decision_corrections"),
        ("referrals", "0005_citizen_id_index_without_nulls"),
        ("reports", "0005_tally_path_bytewise_collation"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="unionapp.unit",
                verbose_name="đơn vị",
            ),
        ),
        migrations.RunPython(fill_units, migrations.RunPython.noop),
        migrations.RunPython(split_ratings, migrations.RunPython.noop),
    ]
