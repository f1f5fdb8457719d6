"""Specs that compile but deserve a warning, kept as data like the bad specs: each
`warning_specs/<case>.yaml` is one domain file `bad.yaml` compiled together with a copy of the
bundled `spec/`, with the same header (`# expect: CODE bad.yaml:L:C`, `#   message:`, `#   hint:`)
listing every warning, in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upoe_compiler.api import check_project
from upoe_compiler.cli import app

from .test_bad_specs import BUNDLED_SPEC, Case, build_spec, expected_tuples, parse_case

CASES = [parse_case(path) for path in sorted((Path(__file__).resolve().parent / "warning_specs").glob("*.yaml"))]
_PRINTED = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):(?P<column>\d+): warning\[(?P<code>UPOE\d{3})\]: \S", re.M)


def test_the_bundled_spec_has_no_warnings() -> None:
    assert check_project(BUNDLED_SPEC).diagnostics == []


@pytest.mark.parametrize("case", CASES, ids=str)
def test_warnings(case: Case, tmp_path: Path) -> None:
    diagnostics = check_project(build_spec(tmp_path, case)).diagnostics
    shown = "\n".join(d.render(with_snippet=False) for d in diagnostics)
    assert [d.check_tuple() for d in diagnostics] == expected_tuples(case), shown
    assert {d.severity for d in diagnostics} == {"warning"}
    for diagnostic, expected in zip(diagnostics, case.expected, strict=True):
        for text in expected.messages:
            assert text in diagnostic.message, shown
        for text in expected.hints:
            assert text in (diagnostic.hint or ""), shown


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cli_check_prints_the_warnings_and_succeeds(case: Case, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--spec", str(build_spec(tmp_path, case))])
    assert result.exit_code == 0, result.output
    printed = [(m["code"], Path(m["file"]).name, int(m["line"]), int(m["column"]))
               for m in _PRINTED.finditer(result.output)]
    assert printed == expected_tuples(case), result.output
    assert f"({len(case.expected)} warning(s))" in result.output


def test_a_failed_compile_counts_its_errors_and_warnings_apart(tmp_path: Path) -> None:
    case = next(case for case in CASES if case.name == "workflow_loop_without_exit")
    spec = build_spec(tmp_path, case)
    bad = spec / "bad.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("title: text", "title: txt", 1), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--spec", str(spec)])
    assert result.exit_code == 1, result.output
    assert "error[UPOE220]" in result.output and "warning[UPOE267]" in result.output
    assert result.output.rstrip().endswith("1 error(s) and 2 warning(s); nothing was written")
