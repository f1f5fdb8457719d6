"""Requirement IDs on the tests: every generated pgTAP assertion leads with the IDs of the table it
probes, and every requirement the bundled spec carries is proven by a hand-written database test
tagged `@pytest.mark.requirement(...)`, each tag naming a requirement the spec really carries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pipeline.conftest import SpecFolder
from tests.support.traceability import (
    HAND_WRITTEN,
    SPEC,
    hand_written_tags,
    is_requirement_id,
    mark_problem,
    spec_phases,
    spec_requirements,
)
from upoe_compiler import ir
from upoe_compiler.api import analyse, make_environment
from upoe_compiler.render.pgtap import render_tests
from upoe_compiler.requirement_tags import marks_in

pytest_plugins = ("pytester",)

# Requirements of the bundled spec that no hand-written test proves, each with the reason; the
# generated pgTAP suite still probes their tables. Empty: every requirement has a test of its own.
PROVEN_BY_GENERATED_TESTS_ONLY: dict[str, str] = {}

# The description of an assertion: the last argument, alone on its line, of each `select is(…);`.
DESCRIPTION = re.compile(r"^    '((?:[^']|'')*)'\n\);$", re.MULTILINE)
ASSERTION = re.compile(r"^select (?:is|isnt|matches|ok)\($", re.MULTILINE)
# `[FIN-03, FIN-04] table: …` or `[…] table has row level security`: the table is the first word.
TRACED = re.compile(r"(?:\[(?P<ids>[^\]]*)\] )?(?P<table>\w+)(?::| has row level security)", re.DOTALL)


def descriptions(test_file: str) -> list[str]:
    """The descriptions of a generated test file's assertions, in order, unquoted."""
    found = [text.replace("''", "'") for text in DESCRIPTION.findall(test_file)]
    planned = int(re.search(r"^select plan\((\d+)\);$", test_file, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert len(found) == len(ASSERTION.findall(test_file)) == planned, "an assertion whose description was not read"
    return found


def traced_ids(description: str, tables: dict[str, ir.Table]) -> tuple[str | None, ir.Table]:
    """The IDs a description leads with (None: none) and the table it probes."""
    match = TRACED.match(description)
    assert match and match.group("table") in tables, f"no table leads the description {description!r}"
    return match.group("ids"), tables[match.group("table")]


def generated_tests(spec_dir: Path) -> tuple[ir.Model, dict[str, str]]:
    """The spec's model and the pgTAP files compiled from it."""
    model, ordered, _diagnostics = analyse(spec_dir, run_lint=False)
    return model, render_tests(model, ordered, make_environment())


@pytest.fixture(scope="module")
def bundled() -> tuple[ir.Model, dict[str, str]]:
    return generated_tests(SPEC)


def test_every_generated_assertion_leads_with_the_ids_of_the_table_it_probes(
        bundled: tuple[ir.Model, dict[str, str]]) -> None:
    model, files = bundled
    tables = {table.name: table for table in model.of_type(ir.Table)}
    probed: set[str] = set()
    assert len(files) == len(model.domains)
    for path, text in sorted(files.items()):
        for description in descriptions(text):
            ids, table = traced_ids(description, tables)
            assert table.requirements, f"{table.name} carries no requirement in the bundled spec"
            assert ids == ", ".join(sorted(set(table.requirements))), f"{path}: {description!r}"
            assert all(is_requirement_id(requirement) for requirement in ids.split(", "))
            probed.add(table.name)
    assert probed == set(tables), "a table of the bundled spec no generated assertion probes"


def test_ids_are_sorted_and_a_table_without_requirements_gets_no_prefix(spec_folder: SpecFolder,
                                                                         tmp_path: Path) -> None:
    spec_folder.add("notes.yaml", """
        domain: notes
        title: Notes
        phase: 90
        description: Notes with and without requirements.
        requirements:
          NOTE-02: Notes are kept
          ALPHA-01: Notes are written down
        tables:
          notes:
            description: Notes of two requirements, listed out of order.
            tenancy: community
            requirements: [NOTE-02, ALPHA-01]
            columns:
              body: {type: text, required: true}
          scribbles:
            description: Notes of no requirement.
            tenancy: community
            columns:
              body: {type: text, required: true}
        """)
    model, files = generated_tests(spec_folder.path)
    tables = {table.name: table for table in model.of_type(ir.Table)}
    (test_file,) = (text for path, text in files.items() if path.endswith("_notes.test.sql"))
    seen = {traced_ids(description, tables) for description in descriptions(test_file)}
    assert seen == {("ALPHA-01, NOTE-02", tables["notes"]), (None, tables["scribbles"])}
    assert "    '[ALPHA-01, NOTE-02] notes has row level security'\n" in test_file
    assert "    'scribbles has row level security'\n" in test_file


# -- hand-written tests ------------------------------------------------------------------------------


def test_every_tag_names_a_requirement_the_spec_carries() -> None:
    tags = hand_written_tags()
    assert tags, "no hand-written test is tagged with a requirement"
    problems = [f"{Path(tag.file).name}:{tag.line}: {tag.test or 'the module'}: {problem}" for tag in tags
                if (problem := mark_problem(tag.ids, spec_requirements())) is not None]
    assert not problems, "\n".join(problems)


def test_every_requirement_mark_is_written_as_the_docs_read_it() -> None:
    """Marks are read from the source (`ast`), like the docs' traceability table reads them: a mark
    spelt otherwise (an alias, `from pytest import mark`) would be a test the table never lists."""
    for path in sorted(HAND_WRITTEN.glob("test_*.py")):
        written = len(re.findall(r"\bmark\.requirement\b", path.read_text(encoding="utf-8")))
        assert written == len(marks_in(path)), f"{path.name}: write @pytest.mark.requirement(\"ID\", …)"


def test_every_requirement_of_the_spec_is_proven_by_a_hand_written_test() -> None:
    tagged = {requirement for tag in hand_written_tags() for requirement in tag.ids}
    carried = set(spec_requirements())
    untraced = sorted(carried - tagged - set(PROVEN_BY_GENERATED_TESTS_ONLY))
    assert not untraced, ("requirements the bundled spec carries that no test in tests/db is tagged with "
                          "(prove and tag them, or explain them in PROVEN_BY_GENERATED_TESTS_ONLY): "
                          + ", ".join(f"{requirement} (phase {spec_phases().get(requirement)})"
                                      for requirement in untraced))
    explained = set(PROVEN_BY_GENERATED_TESTS_ONLY)
    stale = sorted((explained & tagged) | (explained - carried))
    assert not stale, f"explained as untested but tagged, or carried by no object: {', '.join(stale)}"
    assert {spec_phases()[requirement] for requirement in carried} == {1, 2, 3, 4, 5}


def test_a_tag_tracing_nothing_stops_the_run_before_any_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n")
    pytester.makeini("[pytest]\naddopts = --strict-markers\nmarkers =\n    requirement(*ids): requirement IDs\n")
    pytester.makepyfile(test_tagged='''
        import pytest

        ID = "FIN-01"

        @pytest.mark.requirement("FIN-01", "CRM-02")
        def test_proven():
            pass

        @pytest.mark.requirement("FIN-99")
        def test_unknown():
            pass

        @pytest.mark.requirement("fin-1")
        def test_misspelt():
            pass

        @pytest.mark.requirement(ID)
        def test_variable():
            pass

        @pytest.mark.requirement()
        def test_empty():
            pass
        ''')
    result = pytester.runpytest_inprocess("--collect-only", "-q", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = "\n".join(result.errlines)
    # Each at the line of its mark, in the order of the file.
    assert re.search(r"test_tagged.py:9: test_unknown: @pytest.mark.requirement 'FIN-99' is carried by no object.*\n"
                     r"test_tagged.py:13: test_misspelt: @pytest.mark.requirement 'fin-1' is not written as.*\n"
                     r"test_tagged.py:21: test_empty: @pytest.mark.requirement names no requirement", errors), errors
    assert "test_proven" not in errors
    # A variable is a valid ID when the test runs, but the docs read only literals from the source.
    assert "test_variable" not in errors
    assert [tag.ids for tag in marks_in(pytester.path / "test_tagged.py")] == [
        ("FIN-01", "CRM-02"), ("FIN-99",), ("fin-1",), (None,), ()]
