"""Foreign keys to the mirror cascade in the database too, not only in Django's collector.

Search state must follow its mirror item however the item goes: an ORM delete
(Django's collector) or a set-based SQL DELETE (sync at scale, pruning,
resolution). Django 5.2 cannot declare ON DELETE in the schema, so the
constraints are replaced here; the model-level on_delete stays the same.
"""

from django.db import migrations


def fk_sql(table: str, column: str, target: str, on_delete: str) -> str:
    return f"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.conname FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f' AND a.attname = '{column}'
  LOOP
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', r.conname);
  END LOOP;
END $$;
ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_dbfk
    FOREIGN KEY ({column}) REFERENCES {target} (id) {on_delete} DEFERRABLE INITIALLY DEFERRED;
"""


FKS = [
    ("searchstate_searchregistry", "episode_id", "content_episode", "ON DELETE CASCADE"),
    ("searchstate_searchregistry", "movie_id", "content_movie", "ON DELETE CASCADE"),
    ("searchstate_searchregistry", "connector_id", "connectors_connector", "ON DELETE CASCADE"),
    ("searchstate_seasonpacksearch", "series_id", "content_series", "ON DELETE CASCADE"),
    ("searchstate_exclusion", "series_id", "content_series", "ON DELETE CASCADE"),
    ("searchstate_exclusion", "episode_id", "content_episode", "ON DELETE CASCADE"),
    ("searchstate_exclusion", "movie_id", "content_movie", "ON DELETE CASCADE"),
    ("searchstate_acquisition", "episode_id", "content_episode", "ON DELETE SET NULL"),
    ("searchstate_acquisition", "movie_id", "content_movie", "ON DELETE SET NULL"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("searchstate", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=fk_sql(table, column, target, on_delete),
            reverse_sql=fk_sql(table, column, target, ""),
        )
        for table, column, target, on_delete in FKS
    ]
