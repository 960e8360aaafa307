from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from . import schema, signals  # noqa: F401  (register the OpenAPI extensions, the receivers)
