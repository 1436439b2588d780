"""Full-text search of ideas and signals (intake/search.py).

On PostgreSQL, adding the stored vectors rewrites both tables while holding their locks: about a
minute for 100,000 ideas and 1,000,000 signals on two cores, during which their pages wait.
"""

from django.db import migrations, models

from intake import search


def create_search_indexes(apps, schema_editor):
    # intake/search.py defines what is indexed, next to the queries that read it.
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        search.add_postgresql_tables(schema_editor)
    elif vendor == "sqlite":
        search.create_sqlite_tables(schema_editor)


def drop_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        search.drop_postgresql_tables(schema_editor)
    elif vendor == "sqlite":
        search.drop_sqlite_tables(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0012_not_doing_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='signal',
            index=models.Index(fields=['author_email'], name='signal_author_email_idx'),
        ),
        migrations.AddIndex(
            model_name='signal',
            index=models.Index(fields=['external_id'], name='signal_external_id_idx'),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
