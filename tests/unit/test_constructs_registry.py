"""Every registered construct is whole: a spec key (or a reason to have none), checks, an
expansion, a docs description, pgTAP probes (or a stated reason), its template, and a place
in the README and the editor schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pipeline.conftest import SpecFolder
from upoe_compiler import ir
from upoe_compiler.api import analyse
from upoe_compiler.constructs import CONSTRUCTS, Construct
from upoe_compiler.constructs.base import DomainConstruct
from upoe_compiler.render import TEMPLATES
from upoe_compiler.render.pgtap import ProbeBuilder

REPO = Path(__file__).resolve().parents[2]


def overrides(construct: Construct, method: str) -> bool:
    base = DomainConstruct if isinstance(construct, DomainConstruct) and method in vars(DomainConstruct) \
        else Construct
    return getattr(type(construct), method) is not getattr(base, method)


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=lambda c: c.name)
def test_a_construct_declares_every_part(construct: Construct) -> None:
    # A domain construct (buckets) checks, expands and describes one named item at a time.
    parts = ("check_item", "expand_item", "describe_item") if isinstance(construct, DomainConstruct) \
        else ("check", "expand", "describe")
    for part in parts:
        assert overrides(construct, part), f"{construct.name} lacks `{part}`"
    # Probes, or a stated reason to have none: never both, never neither.
    assert overrides(construct, "probes") != bool(construct.untested_because), construct.name
    if construct.key is not None:
        assert construct.model is not None, f"{construct.name} declares no spec model"


@pytest.mark.parametrize("construct", [c for c in CONSTRUCTS if not c.untested_because], ids=lambda c: c.name)
def test_a_constructs_probes_probe_its_golden_case(construct: Construct, tmp_path: Path) -> None:
    """Each construct with probes yields some on the case folder that pins it down."""
    folder = SpecFolder(tmp_path)
    case = REPO / "tests" / "cases" / construct.name / "spec"
    for path in case.rglob("*"):
        if path.is_file():
            target = folder.path / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    model, _, _ = analyse(folder.path)
    builder = ProbeBuilder(model)
    probes = [p for table in model.of_type(ir.Table) for p in construct.probes(table, builder)]
    assert probes, f"{construct.name} yields no probe on tests/cases/{construct.name}"


@pytest.mark.parametrize("construct", CONSTRUCTS, ids=lambda c: c.name)
def test_a_constructs_template_exists_and_renders_its_ir(construct: Construct) -> None:
    if construct.template is not None:
        assert (REPO / "templates" / construct.template).is_file(), construct.template
        assert construct.ir_types, f"{construct.name} names a template but no IR type"
    for kind in construct.ir_types:
        assert kind in TEMPLATES, f"{kind.__name__} of {construct.name} has no template"
        if construct.template is not None:
            assert TEMPLATES[kind] == construct.template, construct.name


@pytest.mark.parametrize("construct", [c for c in CONSTRUCTS if c.key], ids=lambda c: c.name)
def test_a_constructs_key_is_in_the_editor_schema_and_the_readme(construct: Construct) -> None:
    schema = json.loads((REPO / "schemas" / "upoe-spec.schema.json").read_text())
    # A domain file is the schema itself; tables and columns are definitions in it.
    owner = schema if construct.level == "domain" else schema["$defs"][
        {"table": "TableSpec", "column": "ColumnSpec"}[construct.level]]
    assert construct.key in owner["properties"], construct.key
    assert f"`{construct.key}`" in (REPO / "README.md").read_text(), f"README does not describe `{construct.key}`"
