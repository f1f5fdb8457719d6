"""build/manifest.json reads back into the plan that wrote it, and its JSON Schema is generated and current."""

from __future__ import annotations

import copy
import dataclasses
import enum
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.pipeline.conftest import REPO, SpecFolder
from upoe_compiler import ir
from upoe_compiler.api import analyse
from upoe_compiler.cli import app
from upoe_compiler.errors import SourcePosition
from upoe_compiler.graph import MigrationPlan, Plan
from upoe_compiler.manifest import json_text, manifest_json_schema, object_kinds, read_manifest, render_manifest

MANIFEST_SCHEMA = REPO / "schemas" / "upoe-manifest.schema.json"
REGENERATE = "run `upoe schema --manifest --out schemas/upoe-manifest.schema.json`"
WIDGETS = REPO / "tests" / "db" / "widgets"


def without_positions(plan: Plan) -> Plan:
    """Positions are not written, so they read back as None; this compares plans either way,
    whether or not `position` takes part in the IR's equality."""
    return Plan(tuple(
        dataclasses.replace(migration, objects=tuple(dataclasses.replace(o, position=None) for o in migration.objects))
        for migration in plan.migrations
    ))


@pytest.fixture(scope="module")
def bundled_plan() -> Plan:
    return analyse(REPO / "spec")[1]


@pytest.fixture(scope="module")
def widgets_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    folder = SpecFolder(tmp_path_factory.mktemp("widgets"))
    case_files = sorted(WIDGETS.glob("*.yaml"))
    assert case_files, f"no spec files in {WIDGETS}"
    for case_file in case_files:
        shutil.copy(case_file, folder.path / case_file.name)
    return analyse(folder.path)[1]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(manifest_json_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("plan_fixture", ["bundled_plan", "widgets_plan"])
def test_the_manifest_reads_back_into_the_same_plan(plan_fixture: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(plan_fixture)
    text = render_manifest(plan)
    read = read_manifest(text)
    assert read.migrations and [m.number for m in read.migrations] == [m.number for m in plan.migrations]
    assert all(o.position is None for m in read.migrations for o in m.objects)
    assert without_positions(read) == without_positions(plan)
    assert render_manifest(read) == text


@pytest.mark.parametrize("plan_fixture", ["bundled_plan", "widgets_plan"])
def test_the_manifest_is_formatted_as_json_dumps_formats_it(plan_fixture: str,
                                                            request: pytest.FixtureRequest) -> None:
    text = render_manifest(request.getfixturevalue(plan_fixture))
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Shade(enum.StrEnum):
    dark = "dark"


@pytest.mark.parametrize("value", [
    {}, [], (), {"b": [], "a": {}, "c": ()},
    ["é ☃ 𝄞", "\x00\x1f\n\t\"\\/\u2028", "", 0, -7, 10**30, 1.5, -0.0, 1e100, float("nan"), float("-inf"),
     True, False, None],
    {'a"': 1, "a#": 2, "ä": 3, "Z": 4},  # sorted by the keys, not by their escaped text
    {"nested": [[{"x": (Shade.dark, [None])}]]},
])
def test_json_text_writes_what_json_dumps_writes(value: Any) -> None:
    assert json_text(value) == json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def test_the_committed_manifest_schema_is_current() -> None:
    assert MANIFEST_SCHEMA.read_text(encoding="utf-8") == manifest_json_schema(), REGENERATE


def test_the_cli_writes_the_manifest_schema(tmp_path: Path) -> None:
    out = tmp_path / "manifest.schema.json"
    assert CliRunner().invoke(app, ["schema", "--manifest", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == manifest_json_schema()
    printed = CliRunner().invoke(app, ["schema", "--manifest"]).output
    assert printed == manifest_json_schema()


def test_the_schema_describes_every_kind_from_its_class() -> None:
    definitions = json.loads(manifest_json_schema())["$defs"]
    table = definitions["Table"]
    assert table["properties"]["kind"] == {"const": "Table"}
    assert table["additionalProperties"] is False
    assert set(table["required"]) == set(table["properties"])
    assert "position" not in table["properties"]
    assert table["description"].startswith("A table with what is written beside it")
    assert definitions["Column"]["properties"]["default"] == {"type": ["string", "null"]}
    assert "description" not in definitions["Argument"]  # no docstring: not the signature dataclass() makes up
    kinds = {reference["$ref"].rsplit("/", 1)[1] for reference in definitions["Object"]["oneOf"]}
    assert "DbObject" not in kinds and {"Table", "Policy", "Bucket"} <= kinds


@pytest.mark.parametrize("plan_fixture", ["bundled_plan", "widgets_plan"])
def test_the_manifest_validates_against_its_schema(plan_fixture: str, request: pytest.FixtureRequest,
                                                   validator: jsonschema.Draft202012Validator) -> None:
    document = json.loads(render_manifest(request.getfixturevalue(plan_fixture)))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors[:5]


def _first(document: dict[str, Any], kind: str, having: str = "key") -> dict[str, Any]:
    """The first object of `kind` whose field `having` is not empty."""
    return next(o for m in document["migrations"] for o in m["objects"] if o["kind"] == kind and o[having])


def _wrong_kind(document: dict[str, Any]) -> None:
    _first(document, "Table")["kind"] = "Tabel"


def _missing_field(document: dict[str, Any]) -> None:
    del _first(document, "Table")["tenancy"]


def _extra_field(document: dict[str, Any]) -> None:
    _first(document, "Policy")["permissive"] = True


def _missing_nested_field(document: dict[str, Any]) -> None:
    del _first(document, "Table")["columns"][0]["not_null"]


def _wrong_nested_type(document: dict[str, Any]) -> None:
    _first(document, "Table")["columns"][0]["not_null"] = "yes"


def _short_pair(document: dict[str, Any]) -> None:
    _first(document, "StateMachine", having="transitions")["transitions"][0] = ["draft"]


@pytest.mark.parametrize(("break_it", "message"), [
    (_wrong_kind, "unknown kind \"Tabel\""),
    (_missing_field, "Table lacks field 'tenancy'"),
    (_extra_field, "Policy has no field 'permissive'"),
    (_missing_nested_field, "Column lacks field 'not_null'"),
    (_wrong_nested_type, ".columns[0].not_null: expected true or false"),
    (_short_pair, ".transitions[0]: expected an array of 2"),
])
def test_a_broken_manifest_is_rejected_by_the_reader_and_the_schema(
        break_it: Any, message: str, widgets_plan: Plan, validator: jsonschema.Draft202012Validator) -> None:
    document = json.loads(render_manifest(widgets_plan))
    broken = copy.deepcopy(document)
    break_it(broken)
    assert validator.is_valid(document)
    assert not validator.is_valid(broken)
    with pytest.raises(ValueError, match=r"migrations\[[0-9]+\]\.objects\[[0-9]+\]") as raised:
        read_manifest(json.dumps(broken))
    assert message in str(raised.value)


def test_a_manifest_written_before_a_defaulted_field_existed_still_reads(bundled_plan: Plan) -> None:
    """A release's model snapshot outlives the compiler that wrote it: a field added since, with a
    default (an access rule's `means`), reads as that default; one without a default is refused above."""
    document = json.loads(render_manifest(bundled_plan))
    rules = [rule for m in document["migrations"] for o in m["objects"] if o["kind"] == "Table"
             for _command, command_rules in o["access"] for rule in command_rules]
    assert rules and any(rule["means"] for rule in rules)
    for rule in rules:
        del rule["means"]
    read = read_manifest(json.dumps(document))
    tables = [o for m in read.migrations for o in m.objects if type(o).__name__ == "Table"]
    assert {rule.means for table in tables for _command, command_rules in table.access
            for rule in command_rules} == {None}


def test_only_the_known_schema_version_is_read(bundled_plan: Plan, validator: jsonschema.Draft202012Validator) -> None:
    document = json.loads(render_manifest(bundled_plan))
    document["schema_version"] = 2
    assert not validator.is_valid(document)
    with pytest.raises(ValueError, match="schema_version 2 is not supported; this reader reads schema_version 1"):
        read_manifest(json.dumps(document))


def test_the_file_name_must_match_the_domain(bundled_plan: Plan) -> None:
    document = json.loads(render_manifest(bundled_plan))
    document["migrations"][0]["file"] = "0001_elsewhere.sql"
    with pytest.raises(ValueError, match=r"migrations\[0\]\.file: expected NNNN_foundation\.sql"):
        read_manifest(json.dumps(document))


# --- any IR made of the building blocks reads back, not only today's classes -----------------------


class Mood(enum.Enum):
    """How a gadget feels."""

    CALM = 1
    TENSE = 2


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass(frozen=True)
class GadgetKey:
    schema: str
    name: str


@dataclasses.dataclass(frozen=True)
class Part:
    """A part of a gadget.

    The second paragraph is not part of the description."""

    key: GadgetKey
    colour: Colour
    weight: int | None = None


@dataclasses.dataclass(frozen=True)
class GadgetBase(ir.DbObject):
    """A base shared by kinds, as generated triggers share one: never an object of its own."""

    mood: Mood


@dataclasses.dataclass(frozen=True)
class Gadget(GadgetBase):
    """A made-up kind of object with every building block the manifest supports."""

    parts: tuple[Part, ...]
    pairs: tuple[tuple[str, tuple[int, bool]], ...]
    fixed: tuple[str, str]
    main_part: Part | None
    count: int = 0
    note: str | None = None


def test_a_new_ir_kind_reads_back_and_has_a_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    # Declared the way a construct module declares an IR type of its own.
    monkeypatch.setattr(ir, "DECLARED_ELSEWHERE", {GadgetBase, Gadget})
    assert "Gadget" in object_kinds() and "GadgetBase" not in object_kinds()
    domain = ir.DomainInfo("gadgets", "Gadgets", "Made up.", 2, (("G-1", "Gadgets"),), "spec/gadgets.yaml")
    part = Part(GadgetKey("public", "wheel"), Colour.BLUE, 3)
    gadget = Gadget(
        "gadget:one", "gadgets", ("schema:public",), SourcePosition("spec/gadgets.yaml", 1, 1),
        mood=Mood.TENSE, parts=(part, Part(GadgetKey("public", "bell"), Colour.RED)),
        pairs=(("a", (1, True)), ("b", (2, False))), fixed=("x", "y"), main_part=part, note="n",
        follows_dependencies=True,
    )
    plan = Plan((MigrationPlan(12, domain, (gadget,)),))
    text = render_manifest(plan)
    document = json.loads(text)
    written = document["migrations"][0]["objects"][0]
    assert written["mood"] == 2 and written["parts"][0]["colour"] == "blue" and "position" not in written
    assert document["migrations"][0]["file"] == "0012_gadgets.sql"
    assert without_positions(read_manifest(text)) == without_positions(plan)

    schema = json.loads(manifest_json_schema())
    jsonschema.Draft202012Validator(schema).validate(document)
    definitions = schema["$defs"]
    assert definitions["Mood"] == {"description": "How a gadget feels.", "enum": [1, 2]}
    assert definitions["Colour"] == {"enum": ["red", "blue"]}
    assert definitions["Part"]["description"] == "A part of a gadget."
    assert definitions["Gadget"]["properties"]["fixed"]["prefixItems"] == [{"type": "string"}] * 2
    assert "GadgetBase" not in definitions

    written["mood"] = 3
    assert not jsonschema.Draft202012Validator(schema).is_valid(document)
    with pytest.raises(ValueError, match=r"objects\[0\] \(Gadget gadget:one\)\.mood: expected one of 1, 2, got 3"):
        read_manifest(json.dumps(document))
