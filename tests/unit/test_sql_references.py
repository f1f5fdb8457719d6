"""The tables and functions SQL of the spec names, and which of them exist (UPOE234, UPOE235)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from upoe_compiler.api import check_project
from upoe_compiler.catalog import Catalog
from upoe_compiler.errors import CompileFailed, DiagnosticSink
from upoe_compiler.loader import load_spec_dir
from upoe_compiler.sql_references import (
    NAMES_FILE,
    Reference,
    SqlNames,
    expression_references,
    plpgsql_references,
    statement_references,
)
from upoe_compiler.validate import validate

BUNDLED_SPEC = Path(__file__).resolve().parents[2] / "spec"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    sink = DiagnosticSink()
    validated = validate(load_spec_dir(BUNDLED_SPEC, sink), sink)
    assert not sink.diagnostics
    return validated.catalog


@pytest.fixture(scope="module")
def names(catalog: Catalog) -> SqlNames:
    return SqlNames.of(catalog)


def unknown(names: SqlNames, found: tuple[list[Reference], frozenset[str]] | None) -> list[str]:
    assert found is not None
    references, ctes = found
    return [r.written for r in references if names.problem(r, ctes) is not None]


def test_the_built_in_names_come_from_postgresql_15() -> None:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# Built-in names of PostgreSQL 15.")
    entries = [line for line in lines if not line.startswith("#")]
    assert entries == sorted(entries)
    assert {"function pg_catalog jsonb_array_length", "function pg_catalog count", "function pgcrypto hmac",
            "relation pg_catalog pg_class", "relation information_schema columns"} <= set(entries)
    assert len(entries) > 2500


def test_a_statement_names_its_tables_and_functions_where_they_are_written() -> None:
    text = "select count(*) from public.units u join lateral jsonb_each(u.meta) on true"
    found = statement_references(text)
    assert found is not None
    assert [(r.kind, r.written, r.offset) for r in found[0]] == [
        ("function", "count", 7), ("table", "public.units", 21), ("function", "jsonb_each", 49)]


def test_names_the_spec_and_postgresql_know_pass(names: SqlNames) -> None:
    text = ("with recent as (select * from units) "
            "select pg_catalog.now(), extensions.hmac('a', 'b', 'sha256'), auth.uid(), storage.foldername(o.name), "
            "private.assert_current_community(r.id), c.relname "
            "from recent r, storage.objects o, auth.users u, pg_catalog.pg_class c, pg_class, "
            "information_schema.columns, vault.decrypted_secrets, unit_balances")
    assert unknown(names, statement_references(text)) == []


def test_names_nothing_declares_are_unknown(names: SqlNames) -> None:
    text = ("select citext_eq('a', 'b'), public.assert_current_community(null), nowz(), pubic.units.id "
            "from unitz, pubic.units, auth.user, private.units, recent")
    assert unknown(names, statement_references(text)) == [
        "citext_eq", "public.assert_current_community", "nowz", "unitz", "pubic.units", "auth.user",
        "private.units", "recent"]


def test_a_definer_function_is_called_in_both_schemas_an_unexposed_one_only_in_private(
        catalog: Catalog, names: SqlNames) -> None:
    definer = next(n for n, (_, f) in catalog.functions.items()
                   if f.exposed and f.security == "definer" and f.returns != "trigger")
    unexposed = next(n for n, (_, f) in catalog.functions.items() if not f.exposed)
    found = statement_references(f"select public.{definer}(), private.{definer}(), "
                                 f"private.{unexposed}(), public.{unexposed}()")
    assert unknown(names, found) == [f"public.{unexposed}"]


def test_the_closest_name_is_the_hint(names: SqlNames) -> None:
    found = statement_references("select jsonb_array_lenght(x) from public.unit")
    assert found is not None
    problems = [names.problem(r, found[1]) for r in found[0]]
    assert problems == [("UPOE235", "unknown function 'jsonb_array_lenght'", "did you mean 'jsonb_array_length'?"),
                        ("UPOE234", "unknown table or view 'public.unit'", "did you mean 'public.units'?")]


def test_an_expression_is_read_as_one() -> None:
    found = expression_references("exists (select 1 from units where lower(name) = 'a')")
    assert found is not None
    assert [(r.written, r.offset) for r in found[0]] == [("units", 22), ("lower", 34)]


def test_plpgsql_statements_are_parsed_again_and_placed_in_the_body() -> None:
    body = ("declare\n  v integer;\n  r record;\nbegin\n  select count(*) into v from lockers;\n"
            "  perform private.touch(v);\n  v := greatest(v, abs(v));\n"
            "  for r in select * from lockers loop null; end loop;\nend;\n")
    found = plpgsql_references(body, "", "void")
    assert found is not None
    placed = [(r.written, body[:r.offset].count("\n") + 1, r.offset - body.rfind("\n", 0, r.offset)) for r in found[0]]
    assert placed == [("count", 5, 10), ("lockers", 5, 31), ("private.touch", 6, 11), ("abs", 7, 20),
                      ("lockers", 8, 26)]


def test_a_body_the_parser_cannot_read_without_the_catalog_is_left_alone() -> None:
    assert plpgsql_references("begin select 1 into missing_variable; end;", "", "void") is None
    assert statement_references("selct 1") is None


def test_a_variable_of_an_enum_is_read_as_a_scalar(names: SqlNames) -> None:
    body = ("declare\n  c uuid;\n  v public.access_direction;\nbegin\n"
            "  select community_id, direction into c, v from access_pointz;\n"
            "  v := 'entry'::public.access_direction;\nend;\n")
    # Alone, PL/pgSQL's parser takes the enum for a row type and refuses `into c, v`.
    assert plpgsql_references(body, "", "void") is None
    found = plpgsql_references(body, "", "void", names.scalar_types)
    assert unknown(names, found) == ["access_pointz"]
    assert found is not None and body[found[0][0].offset:].startswith("access_pointz;")


def test_every_body_of_the_bundled_spec_is_read_and_names_only_what_exists(catalog: Catalog, names: SqlNames) -> None:
    checked = 0
    for name, (file, function) in catalog.functions.items():
        text = function.body if function.body is not None else (file.spec_dir / function.body_file).read_text()
        arguments = ", ".join(f"{a.name} {a.type}" for a in function.args)
        found = statement_references(text) if function.language == "sql" else \
            plpgsql_references(text, arguments, function.returns, names.scalar_types)
        assert unknown(names, found) == [], name
        checked += len(found[0]) if found else 0
    # The check reads hundreds of names in the bundled spec's bodies: it is not skipping them.
    assert checked > 300


def test_names_in_body_and_query_files_are_located_in_those_files(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(BUNDLED_SPEC, spec)
    (spec / "sql" / "lockers").mkdir()
    (spec / "sql" / "lockers" / "open_locker.sql").write_text(
        "begin\n  update public.lockers set label = label where id = p_locker;\n"
        "  perform private.asert_current_community(p_locker);\nend;\n", encoding="utf-8")
    (spec / "sql" / "lockers" / "locker_labels.sql").write_text(
        "select l.label\n  from public.lockers l\n  join public.unit u on u.id = l.id\n", encoding="utf-8")
    (spec / "lockers.yaml").write_text(
        "domain: lockers\ntitle: Lockers\ndescription: Lockers.\nphase: 2\n"
        "functions:\n  open_locker:\n    description: Opens a locker.\n    args: [{name: p_locker, type: uuid}]\n"
        "    returns: void\n    body_file: sql/lockers/open_locker.sql\n"
        "tables:\n  lockers:\n    description: Lockers.\n    tenancy: community\n    columns: {label: text}\n"
        "views:\n  locker_labels:\n    description: Labels.\n    query_file: sql/lockers/locker_labels.sql\n",
        encoding="utf-8")
    with pytest.raises(CompileFailed) as failure:
        check_project(spec)
    assert [(d.code, d.check_tuple()[1:], d.hint) for d in failure.value.diagnostics] == [
        ("UPOE234", ("locker_labels.sql", 3, 8), "did you mean 'public.units'?"),
        ("UPOE235", ("open_locker.sql", 3, 11), "did you mean 'private.assert_current_community'?")]
    # Each span covers the whole qualified name as written.
    assert [(d.position.end_line, d.position.end_column) for d in failure.value.diagnostics if d.position] == [
        (3, 8 + len("public.unit")), (3, 11 + len("private.asert_current_community"))]


def test_a_query_file_postgresql_cannot_read_is_located_in_that_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(BUNDLED_SPEC, spec)
    (spec / "sql" / "lockers").mkdir()
    (spec / "sql" / "lockers" / "locker_labels.sql").write_text(
        "select l.label\n  form public.lockers l\n", encoding="utf-8")
    (spec / "lockers.yaml").write_text(
        "domain: lockers\ntitle: Lockers\ndescription: Lockers.\nphase: 2\n"
        "tables:\n  lockers:\n    description: Lockers.\n    tenancy: community\n    columns: {label: text}\n"
        "views:\n  locker_labels:\n    description: Labels.\n    query_file: sql/lockers/locker_labels.sql\n",
        encoding="utf-8")
    with pytest.raises(CompileFailed) as failure:
        check_project(spec)
    assert [(d.code, d.check_tuple()[1:]) for d in failure.value.diagnostics] == [
        ("UPOE229", ("locker_labels.sql", 2, 8))]
    assert (failure.value.diagnostics[0].position.end_line, failure.value.diagnostics[0].position.end_column) == (
        2, 8 + len("public"))
    assert "syntax error at or near \"public\"" in failure.value.diagnostics[0].message
