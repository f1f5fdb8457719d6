"""Bad specs, kept as data: each `bad_specs/<case>.yaml` is one domain file `bad.yaml`
compiled together with a copy of the bundled `spec/` folder.

A case file opens with a comment block saying what the compiler must report:

    # <what is wrong>
    # expect: UPOE201 bad.yaml:18:26        one line per diagnostic: all of them, in CompileFailed's order
    #   message: unknown key 'requird'       optional: text the message of that diagnostic contains
    #   hint: did you mean `required`?       optional: text its hint contains
    # also: other.yaml                       optional: bad_specs/<case>/other.yaml goes into spec/ as well
                                             (a .sql file too, for a body or query file the case names)

Line numbers count the comment lines too: they are part of the file. A case may be saved
with a byte order mark, CRLF line endings or bytes that are not UTF-8: the header is read
through them, and the compiler gets the file exactly as it is.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upoe_compiler.api import check_project, compile_project
from upoe_compiler.cli import app
from upoe_compiler.errors import CompileFailed, Diagnostic

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_SPEC = ROOT / "spec"
CASES_DIR = Path(__file__).resolve().parent / "bad_specs"

_EXPECT = re.compile(r"^# expect: (?P<code>UPOE\d{3}) (?P<file>[\w.-]+\.yaml):(?P<line>\d+):(?P<column>\d+)$")
_DETAIL = re.compile(r"^#   (?P<kind>message|hint): (?P<text>.+)$")
_ALSO = re.compile(r"^# also: (?P<file>[\w.-]+\.(?:yaml|sql))$")
# `file:line:col: error[CODE]: message`, the first line of each diagnostic the CLI prints.
_PRINTED = re.compile(r"^(?P<file>\S+?):(?P<line>\d+):(?P<column>\d+): error\[(?P<code>UPOE\d{3})\]: \S", re.M)

Check = tuple[str, str | None, int | None, int | None]


@dataclass
class Expected:
    code: str
    file: str
    line: int
    column: int
    messages: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    def check_tuple(self) -> Check:
        return (self.code, self.file, self.line, self.column)


@dataclass
class Case:
    name: str
    path: Path
    expected: list[Expected]
    also: list[str]

    def __str__(self) -> str:
        return self.name


def parse_case(path: Path) -> Case:
    expected: list[Expected] = []
    also: list[str] = []
    for line in path.read_bytes().decode("utf-8-sig", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        if match := _EXPECT.match(line):
            expected.append(Expected(match["code"], match["file"], int(match["line"]), int(match["column"])))
        elif match := _DETAIL.match(line):
            if not expected:
                raise ValueError(f"{path.name}: '{line}' comes before any '# expect:' line")
            target = expected[-1].messages if match["kind"] == "message" else expected[-1].hints
            target.append(match["text"])
        elif match := _ALSO.match(line):
            also.append(match["file"])
        elif line.startswith(("# expect", "#   ", "# also")):
            raise ValueError(f"{path.name}: malformed header line '{line}'")
    if not expected:
        raise ValueError(f"{path.name}: no '# expect:' line")
    return Case(path.stem, path, expected, also)


CASES = [parse_case(path) for path in sorted(CASES_DIR.glob("*.yaml"))]


def build_spec(tmp_path: Path, case: Case | None) -> Path:
    """tmp_path/spec: a copy of the bundled spec (with spec/sql), plus the case's files."""
    spec_dir = tmp_path / "spec"
    shutil.copytree(BUNDLED_SPEC, spec_dir)
    if case is not None:
        add_case(spec_dir, case)
    return spec_dir


def add_case(spec_dir: Path, case: Case) -> None:
    targets = {"bad.yaml": case.path} | {name: CASES_DIR / case.name / name for name in case.also}
    for name, source in targets.items():
        assert not (spec_dir / name).exists(), f"{name} would replace a bundled spec file"
        (spec_dir / name).write_bytes(source.read_bytes())


def snapshot(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder below `folder`: its bytes (None for a folder) and modification time."""
    return {
        str(path.relative_to(folder)): (None if path.is_dir() else path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def expected_tuples(case: Case) -> list[Check]:
    return [e.check_tuple() for e in case.expected]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 110
    # Every folder of extra files belongs to a case that names them.
    for folder in (p for p in CASES_DIR.iterdir() if p.is_dir()):
        owner = next((c for c in CASES if c.name == folder.name), None)
        assert owner is not None, f"{folder.name}/ belongs to no case"
        assert sorted(p.name for p in folder.iterdir()) == sorted(owner.also)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_diagnostics(case: Case, tmp_path: Path) -> None:
    spec_dir = build_spec(tmp_path, case)
    with pytest.raises(CompileFailed) as failure:
        check_project(spec_dir)
    diagnostics: list[Diagnostic] = failure.value.diagnostics
    shown = "\n".join(d.render(with_snippet=False) for d in diagnostics)
    assert [d.check_tuple() for d in diagnostics] == expected_tuples(case), shown
    for diagnostic, expected in zip(diagnostics, case.expected, strict=True):
        for text in expected.messages:
            assert text in diagnostic.message, shown
        for text in expected.hints:
            assert text in (diagnostic.hint or ""), shown
    for diagnostic in diagnostics:
        assert diagnostic.hint and diagnostic.hint.strip(), f"no hint: {diagnostic.render(with_snippet=False)}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cli_compile_reports_and_writes_nothing(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_dir = build_spec(tmp_path, case)
    out = tmp_path / "build"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec_dir), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    printed = list(_PRINTED.finditer(result.output))
    assert [(m["code"], Path(m["file"]).name, int(m["line"]), int(m["column"])) for m in printed] \
        == expected_tuples(case), result.output
    for match in printed:
        # The printed place leads to the file (relative to the working folder).
        assert (tmp_path / match["file"]).resolve().parent == spec_dir.resolve(), match[0]
    assert f"{len(case.expected)} error(s); nothing was written" in result.output
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["spec"]


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one successful compile of the bundled spec."""
    root = tmp_path_factory.mktemp("previous")
    out = root / "build"
    compile_project(build_spec(root, None), out)
    assert (out / "manifest.json").is_file()
    return out


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cli_compile_keeps_previous_build(case: Case, tmp_path: Path, previous_build: Path) -> None:
    spec_dir = build_spec(tmp_path, case)
    out = tmp_path / "build"
    shutil.copytree(previous_build, out)  # keeps the files' bytes and modification times
    before = snapshot(out)
    assert before == snapshot(previous_build)
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec_dir), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["build", "spec"]
