from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        # Register the OpenAPI extensions, the receivers, the deploy checks.
        from . import checks, schema, signals  # noqa: F401
