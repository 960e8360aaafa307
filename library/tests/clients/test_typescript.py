"""TypeScript types from the live schema (openapi-typescript), and a small client that
uses them (clients/typescript/library.ts) type-checked with tsc --strict."""

import shutil

import pytest

from library.tests.clients.conftest import CLIENTS, node_tool

pytestmark = pytest.mark.clients


def test_the_typescript_client_type_checks_against_the_live_schema(live, tmp_path):
    for name in ("library.ts", "tsconfig.json"):
        shutil.copy(CLIENTS / "typescript" / name, tmp_path / name)

    node_tool("openapi-typescript", f"{live.base}/api/schema/", "--output", str(tmp_path / "schema.d.ts"))
    checked = node_tool("tsc", "--project", str(tmp_path / "tsconfig.json"))

    assert checked.stdout == ""
    assert 'view: "staff"' in (tmp_path / "schema.d.ts").read_text()
