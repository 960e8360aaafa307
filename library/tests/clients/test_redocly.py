"""Redocly CLI's lint, its recommended rules less the two clients/redocly.yaml justifies:
no error and no warning, on the schema a live server serves and on the committed copy."""

import json

import pytest

from library.tests.clients.conftest import BASE_DIR, CLIENTS, node_tool, save_artifact

pytestmark = pytest.mark.clients


def lint(path) -> dict:
    result = node_tool(
        "redocly", "lint", "--config", str(CLIENTS / "redocly.yaml"), "--format", "json", str(path)
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("which", ["served", "committed"])
def test_the_schema_lints_clean(which, schema_file):
    path = schema_file if which == "served" else BASE_DIR / "docs" / "openapi.yaml"

    report = lint(path)

    save_artifact(f"redocly-{which}.json", json.dumps(report, indent=2))
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, report["problems"]


def test_each_rule_turned_off_says_why():
    config = (CLIENTS / "redocly.yaml").read_text().splitlines()

    off = [n for n, line in enumerate(config) if line.strip().endswith(": off")]

    assert off
    assert [config[n] for n in off if not config[n - 1].strip().startswith("#")] == []
