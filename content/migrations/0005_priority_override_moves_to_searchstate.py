# The user's priority override moved to searchstate.PriorityOverride; searchstate
# 0004 (run_before this one) copied every value across first.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0004_webhook_secret_encrypted'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='episode',
            name='priority_override',
        ),
        migrations.RemoveField(
            model_name='movie',
            name='priority_override',
        ),
        migrations.RemoveField(
            model_name='series',
            name='priority_override',
        ),
    ]
