import django.db.models.deletion
from django.db import migrations, models


def closest_from_likely(apps, schema_editor):
    # Signals matched before this release had only their likely duplicate stored: it was their
    # closest idea too. The others get theirs at their next match ("Look for likely duplicates").
    Signal = apps.get_model("intake", "Signal")
    Signal.objects.filter(likely_idea__isnull=False).update(
        closest_idea=models.F("likely_idea"), closest_similarity=models.F("likely_similarity")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0018_reembed_with_minilm"),
    ]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="closest_idea",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="intake.idea",
            ),
        ),
        migrations.AddField(
            model_name="signal",
            name="closest_similarity",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(closest_from_likely, migrations.RunPython.noop),
    ]
