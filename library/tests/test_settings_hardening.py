"""Settings that refuse to start a production server with a weak configuration."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def django_setup(**env: str) -> subprocess.CompletedProcess:
    """Loads the settings in a fresh interpreter with `env`; prints settings.DEBUG."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=BASE_DIR,
        env=environment | {"DJANGO_SETTINGS_MODULE": "library.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_with_a_short_secret_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="short")

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: DJANGO_SECRET_KEY must be at least 50 characters long when "
        "DJANGO_DEBUG=false (it is 5)."
    ) in result.stderr


def test_production_with_a_49_character_secret_key_refuses_to_start():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 49)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_with_a_50_character_secret_key_starts():
    result = django_setup(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 50)

    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


def test_development_accepts_a_short_secret_key():
    result = django_setup(DJANGO_DEBUG="true", DJANGO_SECRET_KEY="short")

    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr
