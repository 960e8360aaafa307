"""The table of the throttle counters' default store (settings.CACHES["throttles"]).

Django's DatabaseCache reads and writes it; it is the schema `manage.py createcachetable`
makes, created here so that `migrate` is all a fresh install needs. No model stands for
it, so the table exists only in the database, not in the migration state.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.CreateModel(
                    name="ThrottleCounter",
                    fields=[
                        ("cache_key", models.CharField(max_length=255, primary_key=True, serialize=False)),
                        ("value", models.TextField()),
                        ("expires", models.DateTimeField(db_index=True)),
                    ],
                    options={"db_table": "library_throttle_counters"},
                ),
            ],
            state_operations=[],
        ),
    ]
