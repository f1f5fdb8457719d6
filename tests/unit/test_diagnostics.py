"""How diagnostics look: rendered text, JSON, and the `upoe check` command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upoe_compiler.api import check_project
from upoe_compiler.cli import app
from upoe_compiler.errors import CompileFailed, Diagnostic, DiagnosticSink, SourcePosition

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_SPEC = ROOT / "spec"

SOURCE = "domain: shop\ntables:\n  orders:\n    colums: {}\n"


@pytest.fixture
def source_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def test_render_shows_place_code_message_snippet_caret_and_hint(source_file: Path) -> None:
    diagnostic = Diagnostic("UPOE201", "unknown key 'colums'", SourcePosition(str(source_file), 4, 5),
                            "did you mean `columns`?")
    lines = diagnostic.render().splitlines()
    assert lines[0] == f"{source_file}:4:5: error[UPOE201]: unknown key 'colums'"
    assert lines[1] == "    4 |     colums: {}"
    # The caret stands under the first character of `colums`.
    assert lines[2] == " " * lines[1].index("colums") + "^"
    assert lines[3] == "  hint: did you mean `columns`?"
    assert len(lines) == 4


def test_render_caret_under_a_later_column(source_file: Path) -> None:
    lines = Diagnostic("UPOE203", "bad", SourcePosition(str(source_file), 1, 9), "fix it").render().splitlines()
    assert lines[1] == "    1 | domain: shop"
    assert lines[2].index("^") == lines[1].index("shop")
    assert lines[2].strip() == "^"


def test_render_caret_with_a_tab_in_the_line(tmp_path: Path) -> None:
    path = tmp_path / "tab.yaml"
    path.write_text("a:\n\tb: 1\n", encoding="utf-8")
    lines = Diagnostic("UPOE101", "tab", SourcePosition(str(path), 2, 2), "spaces").render().splitlines()
    assert lines[2].index("^") == lines[1].index("b")


def test_render_without_snippet(source_file: Path) -> None:
    diagnostic = Diagnostic("UPOE201", "unknown key 'colums'", SourcePosition(str(source_file), 4, 5), "hint text")
    assert diagnostic.render(with_snippet=False) == (
        f"{source_file}:4:5: error[UPOE201]: unknown key 'colums'\n  hint: hint text"
    )


def test_render_when_the_file_or_line_is_not_there(tmp_path: Path, source_file: Path) -> None:
    gone = Diagnostic("UPOE104", "spec file is empty", SourcePosition(str(tmp_path / "gone.yaml"), 1, 1), "h")
    assert gone.render() == f"{tmp_path / 'gone.yaml'}:1:1: error[UPOE104]: spec file is empty\n  hint: h"
    past_end = Diagnostic("UPOE101", "end", SourcePosition(str(source_file), 99, 1), "h")
    assert past_end.render() == f"{source_file}:99:1: error[UPOE101]: end\n  hint: h"


def test_render_without_position() -> None:
    diagnostic = Diagnostic("UPOE402", "output folder is not ours", None, "choose another")
    assert diagnostic.render() == "error[UPOE402]: output folder is not ours\n  hint: choose another"


def test_to_dict_round_trips_through_json(source_file: Path) -> None:
    for diagnostic in (
        Diagnostic("UPOE201", "unknown key 'ü'", SourcePosition(str(source_file), 4, 5), "did you mean \"u\"?"),
        Diagnostic("UPOE402", "no position", None, None),
    ):
        data = json.loads(json.dumps(diagnostic.to_dict()))
        assert data == diagnostic.to_dict()
        file, line, column, hint = data["file"], data["line"], data["column"], data["hint"]
        position = SourcePosition(file, line, column) if file is not None else None
        assert Diagnostic(data["code"], data["message"], position, hint, data["severity"]) == diagnostic
    assert Diagnostic("UPOE201", "m", SourcePosition("spec/x.yaml", 2, 3), "h").to_dict() == {
        "code": "UPOE201", "severity": "error", "message": "m", "file": "spec/x.yaml", "line": 2, "column": 3,
        "end_line": 2, "end_column": 3, "hint": "h",
    }
    # The end of a span is the column past its last character.
    assert Diagnostic("UPOE201", "m", SourcePosition("spec/x.yaml", 2, 3, 2, 9), "h").to_dict()["end_column"] == 9


def test_check_tuple_uses_the_file_name() -> None:
    assert Diagnostic("UPOE201", "m", SourcePosition("/a/b/spec/x.yaml", 2, 3)).check_tuple() == \
        ("UPOE201", "x.yaml", 2, 3)
    assert Diagnostic("UPOE402", "m").check_tuple() == ("UPOE402", None, None, None)


def test_compile_failed_lists_diagnostics_in_file_line_column_order() -> None:
    sink = DiagnosticSink()
    sink.error("UPOE220", "c", SourcePosition("b.yaml", 3, 1), "h")
    sink.error("UPOE210", "b", SourcePosition("a.yaml", 9, 2), "h")
    sink.error("UPOE201", "a", SourcePosition("a.yaml", 9, 1), "h")
    sink.error("UPOE105", "d", None, "h")
    with pytest.raises(CompileFailed) as failure:
        sink.raise_if_failed()
    assert [d.code for d in failure.value.diagnostics] == ["UPOE105", "UPOE201", "UPOE210", "UPOE220"]


# -- the check command -------------------------------------------------------------------

BAD_DOMAIN = """\
domain: shop
title: Shop
description: Sells things.
phase: 2
tables:
  orders:
    description: Orders.
    tenancy: community
    columns:
      total: {type: intger}
      placed: {type: text, references: ordres}
"""


def copy_spec(tmp_path: Path) -> Path:
    spec_dir = tmp_path / "spec"
    shutil.copytree(BUNDLED_SPEC, spec_dir)
    return spec_dir


def files_below(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def test_check_json_on_a_bad_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_dir = copy_spec(tmp_path)
    (spec_dir / "shop.yaml").write_text(BAD_DOMAIN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--spec", "spec", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["diagnostics"] == [
        {"code": "UPOE220", "severity": "error", "message": "unknown type 'intger'", "file": "spec/shop.yaml",
         "line": 10, "column": 21, "end_line": 10, "end_column": 27, "hint": "did you mean 'integer'?"},
        {"code": "UPOE222", "severity": "error", "message": "unknown table 'ordres'", "file": "spec/shop.yaml",
         "line": 11, "column": 40, "end_line": 11, "end_column": 46, "hint": "did you mean 'orders'?"},
    ]


def test_check_text_on_a_bad_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_dir = copy_spec(tmp_path)
    (spec_dir / "shop.yaml").write_text(BAD_DOMAIN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--spec", "spec"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "spec/shop.yaml:10:21: error[UPOE220]: unknown type 'intger'",
        "   10 |       total: {type: intger}",
        " " * (len("   10 | ") + 20) + "^" * len("intger"),
        "  hint: did you mean 'integer'?",
        "spec/shop.yaml:11:40: error[UPOE222]: unknown table 'ordres'",
        "   11 |       placed: {type: text, references: ordres}",
        " " * (len("   11 | ") + 39) + "^" * len("ordres"),
        "  hint: did you mean 'orders'?",
        "2 error(s); nothing was written",
    ]


def test_check_on_the_bundled_spec_passes_and_writes_nothing(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spec_dir = copy_spec(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = files_below(tmp_path)
    for extra in ([], ["--format", "json"]):
        result = CliRunner().invoke(app, ["check", "--spec", str(spec_dir), *extra])
        assert result.exit_code == 0, result.output
        assert "error" not in result.stderr
        if extra:
            report = json.loads(result.stdout)
            assert report["ok"] is True
            assert report["diagnostics"] == []
            assert report["summary"].startswith("spec OK")
        else:
            assert result.stdout.startswith("spec OK: ")
    assert files_below(tmp_path) == before


def test_check_api_on_the_bundled_spec() -> None:
    result = check_project(BUNDLED_SPEC)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert len(result.model.domains) == len(list(BUNDLED_SPEC.glob("*.yaml")))
    assert "foundation" in [d.name for d in result.model.domains]


def test_a_yml_file_is_reported_not_ignored(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(Path(__file__).resolve().parents[2] / "spec", spec)
    (spec / "parking.yml").write_text("domain: parking\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec), "--out", str(tmp_path / "build")])
    assert result.exit_code == 1
    assert "error[UPOE106]" in result.output and "parking.yml is not read: spec files end in .yaml" in result.output
    assert "rename it to parking.yaml" in result.output
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("option", ["-h", "--help"])
def test_help_answers_to_both_options(option: str) -> None:
    for command in ([], ["compile"], ["plan"], ["lint"]):
        result = CliRunner().invoke(app, [*command, option])
        assert result.exit_code == 0 and "Usage:" in result.output, (command, result.output)
        # Flags are shown as flags, without a `<bool>` value placeholder.
        assert "<bool>" not in result.output


def test_lint_rules_are_listed_whole_in_text_and_json() -> None:
    text = CliRunner().invoke(app, ["lint", "--rules"])
    assert text.exit_code == 0
    assert "UPOE501  A table without row level security" in text.output
    assert "Best practice: every table enables RLS" in text.output  # not only the first line
    listed = json.loads(CliRunner().invoke(app, ["lint", "--rules", "--format", "json"]).output)
    assert [rule["code"] for rule in listed][:1] == ["UPOE501"]
    assert all(rule["description"].count("\n") >= 1 for rule in listed)


def test_a_missing_spec_folder_is_a_usage_error(tmp_path: Path) -> None:
    for command in (["compile"], ["check"], ["plan"], ["lint"]):
        result = CliRunner().invoke(app, [*command, "--spec", str(tmp_path / "nowhere")])
        assert result.exit_code == 2, (command, result.output)
        assert "folder not found" in result.output


def test_no_command_or_an_unknown_one_is_a_usage_error() -> None:
    bare = CliRunner().invoke(app, [])
    assert bare.exit_code == 2
    assert "Usage: " in bare.output and "explain" in bare.output  # the help, listing the commands
    unknown = CliRunner().invoke(app, ["compil"])
    assert unknown.exit_code == 2
    assert "No such command 'compil'" in unknown.stderr


def test_an_internal_error_has_its_own_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    import upoe_compiler.api

    def broken(spec: Path) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(upoe_compiler.api, "check_project", broken)
    result = CliRunner().invoke(app, ["check", "--spec", str(Path(__file__).resolve().parents[2] / "spec")])
    assert result.exit_code == 4
    assert "internal error: this is a bug in upoe-compiler" in result.output


WORKFLOW = """\
domain: jobs
title: Jobs
phase: 90
description: Jobs.
enums:
  job_status: {description: Where a job stands., values: [open, assigned, done, archived]}
tables:
  jobs:
    description: A job.
    tenancy: community
    columns:
      status: {type: job_status, required: true, default: open}
    state_machine:
      column: status
      transitions:
        open: [assigned]
        assigned: [done]
        archived: [open]
"""


def test_warnings_are_printed_beside_a_successful_compile(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    shutil.copytree(Path(__file__).resolve().parents[2] / "spec" / "sql" / "foundation", spec / "sql" / "foundation")
    shutil.copy(Path(__file__).resolve().parents[2] / "spec" / "foundation.yaml", spec)
    (spec / "jobs.yaml").write_text(WORKFLOW, encoding="utf-8")
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec), "--out", str(tmp_path / "build")])
    assert result.exit_code == 0
    assert ("warning[UPOE266]: state 'archived' of status has transitions out, but no transition leads into it "
            "from open") in result.output
    assert "jobs.yaml:18:9" in result.output and "(1 warning(s))" in result.output
    as_json = json.loads(CliRunner().invoke(app, ["check", "--spec", str(spec), "--format", "json"]).output)
    assert as_json["ok"] is True and [d["code"] for d in as_json["diagnostics"]] == ["UPOE266"]
