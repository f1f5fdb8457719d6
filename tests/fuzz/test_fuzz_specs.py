"""Hypothesis: random valid specs compile and their SQL applies on the real PostgreSQL;
random damage to a spec never yields anything but located diagnostics."""

from __future__ import annotations

import shutil
import string
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from tests.support.pgcluster import PgCluster, PsqlError
from upoe_compiler.api import compile_project
from upoe_compiler.errors import CompileFailed
from upoe_compiler.loader import _CoreSchemaResolver
from upoe_compiler.pgnames import RESERVED_WORDS

SPEC = Path(__file__).resolve().parents[2] / "spec"
TYPES = ["text", "integer", "bigint", "boolean", "numeric(12,2)", "date", "timestamptz", "jsonb", "uuid",
         "text[]", "record_status", "priority_level", "money_amount", "percentage", "phone_e164"]
ROLES = ["member", "admin", "manager", "guard", "resident", "super_admin"]

# Any printable text, quotes, backslashes and dollars included; YAML itself cannot hold controls.
prose = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
names = st.text(string.ascii_lowercase, min_size=3, max_size=12).filter(
    lambda n: n not in RESERVED_WORDS and n not in {"id", "community_id", "created_at", "updated_at", "created_by",
                                                    "deleted_at", "user_id", "organization_id"})


@st.composite
def column(draw: st.DrawFn, earlier_tables: list[str]) -> dict[str, Any]:
    if earlier_tables and draw(st.booleans()):
        return {"type": "uuid", "references": draw(st.sampled_from(earlier_tables)),
                "on_delete": draw(st.sampled_from(["restrict", "cascade", "set null"]))}
    spec: dict[str, Any] = {"type": draw(st.sampled_from(TYPES))}
    if draw(st.booleans()):
        spec["description"] = draw(prose)
    if spec["type"] == "integer" and draw(st.booleans()):
        spec.update(required=True, default=draw(st.integers(-1000, 1000)))
    if spec["type"] == "text" and draw(st.booleans()):
        spec["unique"] = True
    return spec


@st.composite
def domain(draw: st.DrawFn) -> dict[str, Any]:
    table_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    tables: dict[str, Any] = {}
    tenancies: dict[str, str] = {}
    for index, table in enumerate(table_names):
        tenancy = draw(st.sampled_from(["community", "community", "organization", "user", "global"]))
        earlier = [t for t in table_names[:index] if tenancies[t] == "community"] if tenancy == "community" else []
        column_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
        tables[f"fz_{table}"] = {
            "description": draw(prose),
            "tenancy": tenancy,
            "columns": {c: draw(column([f"fz_{t}" for t in earlier])) for c in column_names},
        }
        tenancies[table] = tenancy
        if tenancy != "global" and draw(st.booleans()):
            tables[f"fz_{table}"]["access"] = {
                command: draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True))
                for command in ("select", "insert", "update")
            }
        if draw(st.booleans()):
            tables[f"fz_{table}"]["immutable"] = True
    return {"domain": "fuzzed", "title": "Fuzzed", "description": "Generated.", "phase": 9, "tables": tables}


class _Core12Dumper(yaml.SafeDumper):
    """PyYAML writes YAML 1.1: `0E0` stays plain, yet YAML 1.2 (what upoe reads) takes it for
    a number. Quote every string that the 1.2 core schema would read as something else."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    plain_tag = _CoreSchemaResolver().resolve(yaml.ScalarNode, value, (True, False))
    style = None if plain_tag == "tag:yaml.org,2002:str" else "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Core12Dumper.add_representer(str, _represent_text)


def dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Core12Dumper, allow_unicode=True, sort_keys=False)


def write_spec(root: Path, document: str) -> Path:
    spec_dir = root / "spec"
    if spec_dir.exists():
        shutil.rmtree(spec_dir)
    shutil.copytree(SPEC / "sql" / "foundation", spec_dir / "sql" / "foundation")
    shutil.copy(SPEC / "foundation.yaml", spec_dir / "foundation.yaml")
    (spec_dir / "fuzzed.yaml").write_text(document, encoding="utf-8")
    return spec_dir


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=domain())
def test_random_valid_specs_compile_and_apply(spec: dict[str, Any], tmp_path: Path, pg_cluster: PgCluster,
                                              bootstrap_template: str) -> None:
    spec_dir = write_spec(tmp_path, dump(spec))
    out = tmp_path / "build"
    if out.exists():
        shutil.rmtree(out)
    compile_project(spec_dir, out)
    pg_cluster.create_database("fuzz_apply", template=bootstrap_template)
    try:
        for migration in sorted((out / "supabase" / "migrations").glob("*.sql")):
            try:
                pg_cluster.psql_file("fuzz_apply", migration)
            except PsqlError as error:  # pragma: no cover - the failure report
                pytest.fail(f"{migration.name} did not apply:\n{error.stderr}\n--- sql ---\n"
                            f"{migration.read_text()[:4000]}\n--- spec ---\n{yaml.safe_dump(spec)}")
    finally:
        pg_cluster.drop_database("fuzz_apply")


damage = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", errors="replace")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                 max_leaves=20).map(lambda value: yaml.safe_dump(value, allow_unicode=True)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=domain(), cut=st.integers(0, 10_000), noise=damage)
def test_damaged_specs_fail_only_with_located_diagnostics(spec: dict[str, Any], cut: int, noise: str,
                                                          tmp_path: Path) -> None:
    text = dump(spec)
    position = cut % (len(text) + 1)
    spec_dir = write_spec(tmp_path, text[:position] + noise + text[position:])
    try:
        compile_project(spec_dir, None)
    except CompileFailed as failure:
        assert failure.diagnostics
        for diagnostic in failure.diagnostics:
            assert diagnostic.code.startswith("UPOE") and diagnostic.message
            assert diagnostic.position is not None
