"""`--format github` (workflow commands) and `--format sarif` (SARIF 2.1.0): their shape, their
escaping, and the commands that print them, with the exit codes of text output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upoe_compiler import __version__
from upoe_compiler.cli import app
from upoe_compiler.errors import Diagnostic, SourcePosition
from upoe_compiler.explanation_texts import EXAMPLE_HEADER
from upoe_compiler.explanations import explain, explanations
from upoe_compiler.report_formats import github_command, sarif_log

from .test_diagnostics import BAD_DOMAIN

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"



def spec_with(tmp_path: Path, name: str, text: str) -> Path:
    """tmp_path/spec: the foundation domain and one more file."""
    spec = tmp_path / "spec"
    (spec / "sql").mkdir(parents=True)
    shutil.copy(SPEC / "foundation.yaml", spec)
    shutil.copytree(SPEC / "sql" / "foundation", spec / "sql" / "foundation")
    (spec / name).write_text(text, encoding="utf-8")
    return spec


# -- GitHub workflow commands ----------------------------------------------------------------

def test_github_command_has_the_place_the_span_and_the_code() -> None:
    diagnostic = Diagnostic("UPOE220", "unknown type 'intger'", SourcePosition("spec/shop.yaml", 10, 21, 10, 27),
                            "did you mean 'integer'?")
    assert github_command(diagnostic) == ("::error file=spec/shop.yaml,line=10,col=21,endLine=10,endColumn=27,"
                                          "title=UPOE220::unknown type 'intger'%0Ahint: did you mean 'integer'?")


def test_github_command_escapes_data_and_properties_as_github_reads_them() -> None:
    diagnostic = Diagnostic("UPOE266", "100% sure:\r\nyes, really", SourcePosition("a,b:c%.yaml", 2, 3),
                            severity="warning")
    # No end known: no endLine/endColumn; in the data only %, CR and LF are escaped, in properties `:` and `,` too.
    assert github_command(diagnostic) == "::warning file=a%2Cb%3Ac%25.yaml,line=2,col=3,title=UPOE266::" \
                                         "100%25 sure:%0D%0Ayes, really"


def test_github_command_without_a_place() -> None:
    diagnostic = Diagnostic("UPOE402", "output folder build exists", None, "choose another")
    assert github_command(diagnostic) == "::error title=UPOE402::output folder build exists%0Ahint: choose another"


def test_check_in_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_with(tmp_path, "shop.yaml", BAD_DOMAIN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--spec", "spec", "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=spec/shop.yaml,line=10,col=21,endLine=10,endColumn=27,title=UPOE220::unknown type 'intger'"
        "%0Ahint: did you mean 'integer'?",
        "::error file=spec/shop.yaml,line=11,col=40,endLine=11,endColumn=46,title=UPOE222::unknown table 'ordres'"
        "%0Ahint: did you mean 'orders'?",
    ]


def test_an_absolute_spec_path_is_printed_relative_to_the_current_folder(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_with(tmp_path, "shop.yaml", BAD_DOMAIN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lint", "--spec", str(spec.resolve()), "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=spec/shop.yaml,line=10,")


def test_warnings_of_a_successful_compile_in_github_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example = explain("UPOE266").example
    assert example is not None
    spec_with(tmp_path, "jobs.yaml", EXAMPLE_HEADER + example.bad)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compile", "--spec", "spec", "--out", "build", "--format", "github"])
    assert result.exit_code == 0, result.output
    first, summary = result.stdout.splitlines()
    assert first.startswith("::warning file=spec/jobs.yaml,line=")
    assert ",title=UPOE266::state 'assigned' of status has transitions out" in first
    assert summary.startswith("compiled 2 domain(s)")
    assert (tmp_path / "build" / "manifest.json").is_file()


def test_release_with_a_bad_name_in_github_format(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, "shop.yaml", BAD_DOMAIN.replace("intger", "integer").replace("ordres", "orders"))
    result = CliRunner().invoke(app, ["release", "Add-Shop", "--spec", str(spec), "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.startswith("::error title=UPOE415::release name 'Add-Shop' is not snake_case")


# -- SARIF -----------------------------------------------------------------------------------

def assert_sarif_shape(log: dict) -> list[dict]:
    """The properties SARIF 2.1.0 requires (and GitHub code scanning reads); the results."""
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "upoe-compiler" and driver["version"] == __version__
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == list(explanations())
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning") and result["message"]["text"]
        for location in result.get("locations", []):
            region = location["physicalLocation"]["region"]
            assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
            assert all(isinstance(value, int) and value >= 1 for value in region.values())
            assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    return run["results"]


def test_check_in_sarif_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_with(tmp_path, "shop.yaml", BAD_DOMAIN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--spec", "spec", "--format", "sarif"])
    assert result.exit_code == 1
    results = assert_sarif_shape(json.loads(result.stdout))
    assert results[0] == {
        "ruleId": "UPOE220", "ruleIndex": list(explanations()).index("UPOE220"), "level": "error",
        "message": {"text": "unknown type 'intger'\nhint: did you mean 'integer'?"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "spec/shop.yaml"},
            "region": {"startLine": 10, "startColumn": 21, "endLine": 10, "endColumn": 27}}}],
    }
    assert [r["ruleId"] for r in results] == ["UPOE220", "UPOE222"]


def test_sarif_on_success_has_no_results_and_warnings_as_warnings(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    example = explain("UPOE266").example
    assert example is not None
    spec_with(tmp_path, "jobs.yaml", EXAMPLE_HEADER + example.fixed)
    monkeypatch.chdir(tmp_path)
    clean = CliRunner().invoke(app, ["check", "--spec", "spec", "--format", "sarif"])
    assert clean.exit_code == 0
    assert assert_sarif_shape(json.loads(clean.stdout)) == []
    assert clean.stderr.startswith("spec OK: 2 domain(s)")
    (tmp_path / "spec" / "jobs.yaml").write_text(EXAMPLE_HEADER + example.bad, encoding="utf-8")
    warned = CliRunner().invoke(app, ["check", "--spec", "spec", "--format", "sarif"])
    assert warned.exit_code == 0
    [result] = assert_sarif_shape(json.loads(warned.stdout))
    assert (result["ruleId"], result["level"]) == ("UPOE266", "warning")


def test_sarif_uri_is_percent_encoded_and_a_diagnostic_without_place_has_no_location() -> None:
    log = sarif_log([Diagnostic("UPOE201", "m", SourcePosition("my spec/x.yaml", 1, 1, 1, 4), "h"),
                     Diagnostic("UPOE402", "m")])
    located, unplaced = assert_sarif_shape(log)
    assert located["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20spec/x.yaml"
    assert "locations" not in unplaced


def test_plan_and_lint_rules_in_sarif(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, "shop.yaml", BAD_DOMAIN.replace("intger", "integer").replace("ordres", "orders"))
    plan = CliRunner().invoke(app, ["plan", "--spec", str(spec), "--format", "sarif"])
    assert plan.exit_code == 0, plan.output
    assert assert_sarif_shape(json.loads(plan.stdout)) == []
    rules = CliRunner().invoke(app, ["lint", "--rules", "--format", "sarif"])
    assert rules.exit_code == 0
    assert assert_sarif_shape(json.loads(rules.stdout)) == []


def test_a_format_no_command_knows_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["check", "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of 'text', 'json', 'github', 'sarif'" in result.stderr
