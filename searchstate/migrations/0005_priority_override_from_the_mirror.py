"""The user's priority override moves from the mirror rows to search state (no data lost).

The mirror (content) is rebuilt from the *arr apps at any time, so user-owned
state lives here. Existing overrides are copied from content's Series,
Episode and Movie rows before content's migration drops the columns
(``run_before``), and copied back when unapplied. Foreign keys to the mirror
cascade in the database, as migration 0002 does for the other search state.
"""

import importlib

from django.db import migrations

fk_sql = importlib.import_module("searchstate.migrations.0002_database_cascades").fk_sql

TARGETS = (("series", "Series"), ("episode", "Episode"), ("movie", "Movie"))
FKS = [
    ("searchstate_priorityoverride", f"{field}_id", f"content_{field}", "ON DELETE CASCADE")
    for field, _ in TARGETS
]


def copy_from_mirror(apps, schema_editor):
    PriorityOverride = apps.get_model("searchstate", "PriorityOverride")
    for field, model_name in TARGETS:
        model = apps.get_model("content", model_name)
        rows = model.objects.filter(priority_override__isnull=False).values_list(
            "pk", "connector_id", "priority_override"
        )
        PriorityOverride.objects.bulk_create(
            (
                PriorityOverride(connector_id=connector_id, priority=priority, **{f"{field}_id": pk})
                for pk, connector_id, priority in rows.iterator(chunk_size=5000)
            ),
            batch_size=5000,
        )


def copy_to_mirror(apps, schema_editor):
    PriorityOverride = apps.get_model("searchstate", "PriorityOverride")
    for field, model_name in TARGETS:
        model = apps.get_model("content", model_name)
        for pk, priority in PriorityOverride.objects.filter(
            **{f"{field}__isnull": False}
        ).values_list(f"{field}_id", "priority"):
            model.objects.filter(pk=pk).update(priority_override=priority)


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0003_movie_release_date'),
        ('searchstate', '0004_priority_override_model'),
    ]

    run_before = [
        ('content', '0005_priority_override_moves_to_searchstate'),
    ]

    operations = [
        *[
            migrations.RunSQL(
                sql=fk_sql(table, column, target, on_delete),
                reverse_sql=migrations.RunSQL.noop,
            )
            for table, column, target, on_delete in FKS
        ],
        migrations.RunPython(copy_from_mirror, copy_to_mirror),
    ]
