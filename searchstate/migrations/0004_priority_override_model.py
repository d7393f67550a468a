"""The user's priority override as search state (searchstate.PriorityOverride).

Its rows are carried over from the mirror by migration 0005; the model is
created in a migration of its own so that Django's foreign keys exist before
0005 replaces them with cascading ones.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('connectors', '0004_kind_choices_from_registry'),
        ('content', '0003_movie_release_date'),
        ('searchstate', '0003_django_side_do_nothing'),
    ]

    operations = [
        migrations.CreateModel(
            name='PriorityOverride',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('priority', models.SmallIntegerField(validators=[django.core.validators.MinValueValidator(-100), django.core.validators.MaxValueValidator(100)])),
                ('connector', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='priority_overrides', to='connectors.connector')),
                ('episode', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='user_priority', to='content.episode')),
                ('movie', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='user_priority', to='content.movie')),
                ('series', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='user_priority', to='content.series')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('episode__isnull', True), ('movie__isnull', True), ('series__isnull', False)), models.Q(('episode__isnull', False), ('movie__isnull', True), ('series__isnull', True)), models.Q(('episode__isnull', True), ('movie__isnull', False), ('series__isnull', True)), _connector='OR'), name='searchstate_prio_one_target'), models.CheckConstraint(condition=models.Q(('priority__gte', -100), ('priority__lte', 100)), name='searchstate_prio_range')],
            },
        ),
    ]
