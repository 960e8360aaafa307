import django.core.validators
from django.db import migrations, models


def name_existing_sessions(apps, schema_editor):
    """Sessions started before names existed take theirs from their user agent, as new
    ones do (ended and expired ones too: the admin shows them)."""
    from accounts.client import client_name

    LoginSession = apps.get_model("accounts", "LoginSession")
    for session in LoginSession.objects.filter(name="").only("pk", "user_agent").iterator():
        LoginSession.objects.filter(pk=session.pk).update(name=client_name(session.user_agent))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_second_factor'),
    ]

    operations = [
        migrations.AddField(
            model_name='loginsession',
            name='name',
            field=models.CharField(default='', help_text='What its owner calls it ("Ada\'s phone"); until renamed, a name made from its user agent ("Firefox on Linux").', max_length=100, validators=[django.core.validators.RegexValidator('\\A[^\\x00-\\x1f\\x7f]*\\Z', 'Control characters are not allowed.', code='control_characters')]),
            preserve_default=False,
        ),
        migrations.RunPython(name_existing_sessions, migrations.RunPython.noop, elidable=True),
    ]
