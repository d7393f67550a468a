"""Queue links cascade in the database: resolution deletes registry rows in SQL.

searchstate resolves acquisitions with one DELETE .. RETURNING per table and
knows nothing of the queue (dependency direction), so the link rows of the
registry rows it removes must go by themselves. Django 5.2 cannot declare ON
DELETE in the schema, so the constraints are replaced here.
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
    ("queueing_requestqueueitem", "registry_id", "searchstate_searchregistry", "ON DELETE CASCADE"),
    ("queueing_requestqueueitem", "entry_id", "queueing_requestqueue", "ON DELETE CASCADE"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0001_initial"),
        ("searchstate", "0002_database_cascades"),
    ]

    operations = [
        migrations.RunSQL(
            sql=fk_sql(table, column, target, on_delete),
            reverse_sql=fk_sql(table, column, target, ""),
        )
        for table, column, target, on_delete in FKS
    ]
