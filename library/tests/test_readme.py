"""The README's walk-through runs as written, against a live server."""

import os
import re
import subprocess

import pytest

from accounts.models import LoginSession
from authors.models import Author
from library.tests.helpers import readme_block

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_curl_walk_through_runs_as_written(live_server):
    script = readme_block("## A walk-through with curl")

    result = subprocess.run(
        ["/bin/bash", "-euo", "pipefail", "-c", script],
        env={**os.environ, "API": f"{live_server.url}/api"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    statuses = [line for line in result.stdout.splitlines() if re.fullmatch(r"\d{3}", line)]
    # revoke access, it is refused; revoke the rotated refresh, its session's refresh is
    # refused; log out everywhere, the access token is refused.
    assert statuses == ["204", "401", "204", "401", "204", "401"]
    assert '"name":"Anna Burns"' in result.stdout
    assert '"current":true' in result.stdout
    assert Author.objects.filter(name="Anna Burns", owner__username="ada").count() == 1
    assert not LoginSession.objects.live().filter(user__username="ada").exists()
