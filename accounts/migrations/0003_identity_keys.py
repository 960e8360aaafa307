"""Uniqueness of usernames and emails moves from LOWER() indexes, which SQLite applies to
ASCII only, to stored keys (NFKC, then casefold) that every database compares alike.

Existing users get their keys here. Two users whose names differ only beyond ASCII case
(possible before on SQLite) stop this migration with an IntegrityError: rename one first.
"""

import unicodedata

from django.db import migrations, models


def identity_key(value):
    return unicodedata.normalize("NFKC", value).casefold()


def fill_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "username", "email").iterator():
        User.objects.filter(pk=user.pk).update(
            username_key=identity_key(user.username), email_key=identity_key(user.email) or None
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_sessions_ended_at")]

    operations = [
        # The model now inherits AbstractUser's Meta whole (its constraints are gone).
        migrations.AlterModelOptions(name="user", options={"verbose_name": "user", "verbose_name_plural": "users"}),
        migrations.RemoveConstraint(model_name="user", name="accounts_user_username_ci_unique"),
        migrations.RemoveConstraint(model_name="user", name="accounts_user_email_ci_unique"),
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, unique=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True, unique=True),
        ),
    ]
