"""`upoe explain`: every code the compiler can report is explained, nothing else is, and each
example written as a spec really reports its code when wrong and compiles when mended."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upoe_compiler.api import check_project
from upoe_compiler.cli import app
from upoe_compiler.errors import CompileFailed, Diagnostic
from upoe_compiler.explanation_texts import EXAMPLE_HEADER, EXPLANATIONS, LINT_EXAMPLES
from upoe_compiler.explanations import explain, explanations
from upoe_compiler.lint import RULES, rule_docs

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "upoe_compiler"
SPEC = ROOT / "spec"
CODE = re.compile(r"UPOE\d{3}")


def codes_in_source() -> set[str]:
    """Every code written as a string of its own in the package (a call's argument, a constant, a
    rule's `code`); codes inside docstrings and messages do not count."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "explanation_texts.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
                found.add(node.value)
    return found


def test_every_code_the_compiler_reports_is_explained_and_no_other() -> None:
    source = codes_in_source()
    assert len(source) >= 70
    assert sorted(source - set(explanations())) == [], "explain these codes in explanation_texts.py"
    assert sorted(set(explanations()) - source) == [], "nothing reports these codes any more"


def test_lint_rules_are_explained_by_their_docstrings_only() -> None:
    assert not {e.code for e in EXPLANATIONS} & set(RULES)
    assert set(LINT_EXAMPLES) <= set(RULES)
    for code, doc in rule_docs():
        explanation = explain(code)
        first = " ".join(doc.split("\n\n")[0].split())
        assert explanation.title == first
        # The docstring's Anti-pattern and Best practice, each a sentence of its own.
        said = " ".join(doc.split()).lower()
        assert explanation.why and explanation.why[0] == explanation.why[0].upper()
        assert explanation.fix and explanation.fix[0] == explanation.fix[0].upper()
        assert f"anti-pattern: {explanation.why.lower()} best practice: {explanation.fix.lower()}" in said
        assert explanation.severity == RULES[code].severity


def test_every_explanation_says_what_and_why_on_one_titled_line() -> None:
    for code, explanation in explanations().items():
        assert explanation.code == code
        assert explanation.title and "\n" not in explanation.title, code
        assert explanation.meaning.strip() and explanation.why.strip(), code
        assert explanation.stage in {"load", "validate", "names", "semantics", "resolve", "constructs", "graph",
                                     "write", "releases", "traceability", "lint"}, code
    # Every code outside lint has an example, wrong and mended.
    for explanation in EXPLANATIONS:
        assert explanation.example is not None, explanation.code
        assert explanation.example.bad.strip() and explanation.example.fixed.strip(), explanation.code
        assert explanation.example.bad != explanation.example.fixed, explanation.code


def run_example(tmp_path: Path, text: str, shape: str) -> list[Diagnostic]:
    """The diagnostics of a spec folder holding the foundation domain and the example."""
    spec = tmp_path / "spec"
    (spec / "sql").mkdir(parents=True)
    shutil.copy(SPEC / "foundation.yaml", spec)
    shutil.copytree(SPEC / "sql" / "foundation", spec / "sql" / "foundation")
    (spec / "example.yaml").write_text(text if shape == "file" else EXAMPLE_HEADER + text, encoding="utf-8")
    try:
        return check_project(spec).diagnostics
    except CompileFailed as failure:
        return failure.diagnostics


COMPILED = [e for e in explanations().values() if e.example is not None and e.example.shape != "outside"]


def test_most_examples_are_compiled() -> None:
    # The others happen outside one file (a folder, a release, the filesystem): see their shape.
    assert len(COMPILED) >= 58


@pytest.mark.parametrize("explanation", COMPILED, ids=lambda e: e.code)
def test_the_wrong_example_reports_its_code_and_the_mended_one_compiles(explanation, tmp_path: Path) -> None:
    example = explanation.example
    wrong = run_example(tmp_path / "wrong", example.bad, example.shape)
    assert explanation.code in [d.code for d in wrong], [d.render(with_snippet=False) for d in wrong]
    assert all(d.severity == explanation.severity for d in wrong if d.code == explanation.code)
    mended = run_example(tmp_path / "mended", example.fixed, example.shape)
    assert mended == [], [d.render(with_snippet=False) for d in mended]


# -- the command -----------------------------------------------------------------------------

def test_explain_prints_the_whole_explanation_with_its_example() -> None:
    result = CliRunner().invoke(app, ["explain", "UPOE102"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "UPOE102: duplicate key (load, error)"
    assert "Why it matters: YAML would keep only the last one" in result.stdout
    wrong, right = result.stdout.index("Wrong (in a domain file):"), result.stdout.index("Right:")
    assert wrong < right
    assert "      label: text\n          label: {type: text, required: true}" in result.stdout[wrong:right]
    # A code is found however it is written.
    for spelling in ("102", "upoe102", " UPOE102 "):
        assert CliRunner().invoke(app, ["explain", spelling]).stdout == result.stdout


def test_explain_a_lint_rule_shows_its_docstring_parts() -> None:
    result = CliRunner().invoke(app, ["explain", "UPOE502"])
    assert result.exit_code == 0
    assert result.stdout.startswith("UPOE502: A policy calls `auth.*()`")
    assert "Why it matters: `user_id = auth.uid()` evaluates the call for every row" in result.stdout
    assert "How to fix it: `user_id = (select auth.uid())`" in result.stdout
    assert 'where: "author_id = (select auth.uid())"' in result.stdout


@pytest.mark.parametrize(("code", "suggested"), [("UPOE209", "UPOE210 or UPOE207"), ("UPOE2O1", "UPOE201"),
                                                  ("upoe22o", "UPOE220")])
def test_an_unknown_code_is_a_usage_error_with_the_nearest_codes(code: str, suggested: str) -> None:
    result = CliRunner().invoke(app, ["explain", code])
    assert result.exit_code == 2
    assert f"no diagnostic code '{code}'; did you mean {suggested}?" in result.stderr
    assert result.stdout == ""


def test_a_code_of_no_stage_points_at_the_list() -> None:
    result = CliRunner().invoke(app, ["explain", "UPOE999"])
    assert result.exit_code == 2
    assert "no diagnostic code 'UPOE999'; `upoe explain` lists them all" in result.stderr


def test_explain_without_a_code_lists_every_code_with_its_title() -> None:
    result = CliRunner().invoke(app, ["explain"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(explanations())
    assert "UPOE201  validate      unknown key" in lines
    assert "UPOE266  constructs    workflow state nothing leads into  (warning)" in lines


def test_explain_in_json() -> None:
    listed = json.loads(CliRunner().invoke(app, ["explain", "--format", "json"]).stdout)
    assert [item["code"] for item in listed] == list(explanations())
    one = json.loads(CliRunner().invoke(app, ["explain", "UPOE220", "--format", "json"]).stdout)
    assert one == next(item for item in listed if item["code"] == "UPOE220")
    assert one["title"] == "unknown type" and one["stage"] == "semantics" and one["severity"] == "error"
    assert one["example"]["shape"] == "part" and one["example"]["header"] == EXAMPLE_HEADER
    assert "floor: intger" in one["example"]["bad"] and "floor: integer" in one["example"]["fixed"]


def test_explain_in_markdown_gives_the_readme_table_and_one_code_with_yaml_blocks() -> None:
    table = CliRunner().invoke(app, ["explain", "--format", "markdown"]).stdout.splitlines()
    assert table[:2] == ["| code | stage | what |", "|---|---|---|"]
    assert table[2:] == [f"| {e.code} | {e.stage} | {e.title}{' (warning)' if e.severity == 'warning' else ''} |"
                         for e in explanations().values()]
    one = CliRunner().invoke(app, ["explain", "UPOE220", "--format", "markdown"]).stdout
    assert one.startswith("## UPOE220: unknown type\n\nStage: semantics; severity: error.\n")
    assert "**Wrong:**\n\n```yaml\ntables:\n" in one and "      floor: intger\n```" in one
    assert "**Right:**\n\n```yaml\n" in one and "      floor: integer\n```" in one


def test_the_readme_lists_every_code_as_upoe_explain_prints_them() -> None:
    table = CliRunner().invoke(app, ["explain", "--format", "markdown"]).output.strip()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table in readme, "README's code table is stale: paste `upoe explain --format markdown` under ## Diagnostics"
