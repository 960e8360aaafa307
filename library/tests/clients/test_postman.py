"""The live schema converted to a Postman collection (openapi-to-postmanv2, as Postman's
own import does), run by newman against the live server in the order of
postman_flow.STEPS. The collection's baseUrl is the schema's `servers`, untouched."""

import json

import pytest

from library.tests.clients import postman_flow
from library.tests.clients.conftest import node_tool, save_artifact

pytestmark = pytest.mark.clients

# Folders by tag, and the schema's own examples rather than generated values.
CONVERSION = "folderStrategy=Tags,parametersResolution=Example,enableOptionalParameters=false"


def test_the_converted_collection_runs_every_flow_with_newman(live, schema_file, tmp_path):
    converted_file, flow_file, report_file = (
        tmp_path / name for name in ("converted.json", "flow.json", "newman.json")
    )
    node_tool("openapi2postmanv2", "-s", str(schema_file), "-o", str(converted_file), "-O", CONVERSION)
    converted = json.loads(converted_file.read_text())
    assert converted["variable"] == [{"key": "baseUrl", "value": live.base}]

    collection, left_out = postman_flow.arrange(converted)
    flow_file.write_text(json.dumps(collection, indent=2))
    variables = {
        "username": "postman-ada",
        "password": "a long unguessable phrase",
        "newPassword": "an even longer fresh phrase",
        "staffUsername": live.staff.username,
        "staffPassword": live.staff.password,
    }
    assert set(variables) == set(postman_flow.VARIABLES)
    run = node_tool(
        "newman",
        "run",
        str(flow_file),
        *(argument for name, value in variables.items() for argument in ("--env-var", f"{name}={value}")),
        "--reporters",
        "cli,json",
        "--reporter-json-export",
        str(report_file),
        "--color",
        "off",
        "--disable-unicode",
    )

    save_artifact("newman.txt", run.stdout)
    stats = json.loads(report_file.read_text())["run"]["stats"]
    save_artifact("newman-stats.json", json.dumps(stats, indent=2))
    assert left_out == set()
    assert stats["requests"] == {"total": len(postman_flow.STEPS), "pending": 0, "failed": 0}
    tests = sum(1 + len(step.checks) + step.documented for step in postman_flow.STEPS)
    assert stats["assertions"] == {"total": tests, "pending": 0, "failed": 0}
