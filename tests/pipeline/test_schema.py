"""The JSON Schema for editors is exported from the spec models and kept current."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.pipeline.conftest import REPO
from upoe_compiler.cli import app
from upoe_compiler.spec import spec_json_schema

SCHEMA = REPO / "schemas" / "upoe-spec.schema.json"


def test_the_committed_schema_is_current() -> None:
    assert SCHEMA.read_text() == spec_json_schema(), "run `upoe schema --out schemas/upoe-spec.schema.json`"


def test_the_schema_allows_the_shorthands_and_forbids_unknown_keys(tmp_path: Path) -> None:
    schema = json.loads(CliRunner().invoke(app, ["schema"]).output)
    table = schema["$defs"]["TableSpec"]
    assert table["additionalProperties"] is False
    assert "tenancy" in table["required"]
    columns = table["properties"]["columns"]["additionalProperties"]["anyOf"]
    assert {"type": "string"} in columns
    out = tmp_path / "schema.json"
    assert CliRunner().invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert out.read_text() == SCHEMA.read_text()
