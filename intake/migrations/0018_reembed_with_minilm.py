from django.db import migrations


def mark_every_idea_stale(apps, schema_editor):
    # The default model is now all-MiniLM-L6-v2: every idea is embedded again, before the next
    # searches or at once with `manage.py similar_ideas --rebuild-index`.
    apps.get_model("intake", "Idea").objects.update(search_stale=True)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0017_duplicate_phrasings_and_decisions"),
    ]

    operations = [
        migrations.RunPython(mark_every_idea_stale, migrations.RunPython.noop),
    ]
