"""The webhook secret is encrypted at rest like the API keys.

Existing secrets keep working: each plaintext value is encrypted in place
(the URLs the *arr apps already post to stay valid). Going back decrypts them.
"""

import comradarr.fields
import content.models
from django.db import migrations

from comradarr import crypto


def encrypt_existing(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, webhook_secret FROM content_syncstate")
        rows = cursor.fetchall()
        for pk, value in rows:
            if value and not value.startswith(crypto.PREFIX):
                cursor.execute(
                    "UPDATE content_syncstate SET webhook_secret = %s WHERE id = %s",
                    [crypto.encrypt(value), pk],
                )


def decrypt_existing(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, webhook_secret FROM content_syncstate")
        rows = cursor.fetchall()
        for pk, value in rows:
            if value and value.startswith(crypto.PREFIX):
                cursor.execute(
                    "UPDATE content_syncstate SET webhook_secret = %s WHERE id = %s",
                    [crypto.decrypt(value), pk],
                )


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0003_movie_release_date'),
    ]

    operations = [
        migrations.AlterField(
            model_name='syncstate',
            name='webhook_secret',
            field=comradarr.fields.EncryptedTextField(default=content.models.new_webhook_secret),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
