"""`manage.py check --deploy` warnings for mail settings that only work on a laptop."""

from email.utils import parseaddr

from django.conf import settings
from django.core.checks import Tags, Warning, register

DEVELOPMENT_BACKENDS = ("console", "locmem", "dummy", "filebased")


@register(Tags.security, deploy=True)
def check_mail_settings(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    if settings.EMAIL_BACKEND.rsplit(".", 2)[-2] in DEVELOPMENT_BACKENDS:
        warnings.append(
            Warning(
                "Mail is not sent: EMAIL_URL is unset (or a console or file backend), so password "
                "reset links and notices go to the worker's output.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587.",
                id="accounts.W001",
            )
        )
    if parseaddr(settings.DEFAULT_FROM_EMAIL)[1].endswith("@localhost"):
        warnings.append(
            Warning(
                "DEFAULT_FROM_EMAIL is an address at localhost; mail servers refuse or bin such mail.",
                hint="Set DEFAULT_FROM_EMAIL, e.g. 'Library <noreply@library.example.com>'.",
                id="accounts.W002",
            )
        )
    if not (settings.FRONTEND_URL or settings.SITE_URL):
        warnings.append(
            Warning(
                "Mail links have no address to point at: neither FRONTEND_URL nor SITE_URL is set.",
                hint="Set SITE_URL to this server's public address (https://library.example.com), "
                "or FRONTEND_URL to the front-end's.",
                id="accounts.W003",
            )
        )
    return warnings
