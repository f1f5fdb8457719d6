"""Releases: `upoe release` freezes the baseline into <spec>/migrations/ with a hash-chained
upoe.sum; compile and check refuse edited, deleted or hand-added released files, and (until
incremental migrations exist) a spec that no longer matches its last release."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upoe_compiler.api import analyse, check_project, compile_project, release_project
from upoe_compiler.cli import app
from upoe_compiler.errors import CompileFailed
from upoe_compiler.releases import sum_text

SPEC = Path(__file__).resolve().parents[2] / "spec"
NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
# The bundled spec's baseline files, one per domain in migration order, and the file after them.
BASELINE = [migration.file_name for migration in analyse(SPEC, run_lint=False)[1].migrations]
PENDING = f"supabase/migrations/{len(BASELINE) + 1:04d}_pending.sql"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(SPEC, target)
    return target


def codes(error: pytest.ExceptionInfo[CompileFailed]) -> list[str]:
    return [d.code for d in error.value.diagnostics]


def test_the_first_release_freezes_the_baseline_files_byte_for_byte(spec: Path, tmp_path: Path) -> None:
    baseline = compile_project(spec, None).files
    written = release_project(spec, "initial", NOW)
    folder = spec / "migrations"
    assert BASELINE[:4] == ["0001_foundation.sql", "0002_crm.sql", "0003_access.sql", "0004_finance.sql"]
    assert [p.name for p in written] == [*BASELINE, "20261207120000_initial.model.json", "upoe.sum"]
    build = compile_project(spec, tmp_path / "build").files
    released = {name: text for name, text in build.items() if name.startswith("supabase/migrations/")}
    assert released == {name: text for name, text in baseline.items() if name.startswith("supabase/migrations/")}
    assert all((folder / name.rsplit("/", 1)[1]).read_text() == text for name, text in released.items())
    lines = (folder / "upoe.sum").read_text().splitlines()
    assert lines[0] == "h1:" + lines[-1].split(" h1:")[1]
    assert [line.split()[0] for line in lines[1:]] == [p.name for p in written[:-1]]
    # Nothing changed since: nothing to release, and the build is the same.
    assert release_project(spec, "again", NOW) == []
    assert compile_project(spec, None).files == build


def test_each_line_of_the_sum_covers_every_file_before_it() -> None:
    files = [("0001_a.sql", b"create table a ();"), ("0002_b.sql", b"create table b ();")]
    edited = [("0001_a.sql", b"create table a (x int);"), files[1]]
    before, after = sum_text(files).splitlines(), sum_text(edited).splitlines()
    # Editing the first file changes the hash of the second's line too, and the total.
    assert all(old != new for old, new in zip(before, after, strict=True))


def test_an_edited_released_file_is_refused_where_it_is(spec: Path) -> None:
    release_project(spec, "initial", NOW)
    path = spec / "migrations" / "0002_crm.sql"
    path.write_text(path.read_text() + "\n-- a quick fix\n")
    with pytest.raises(CompileFailed) as error:
        check_project(spec)
    assert codes(error) == ["UPOE410"]
    diagnostic = error.value.diagnostics[0]
    assert diagnostic.position is not None and diagnostic.position.file == str(path)
    assert "0002_crm.sql" in diagnostic.message and diagnostic.hint


def test_a_deleted_or_hand_added_released_file_is_refused(spec: Path, tmp_path: Path) -> None:
    release_project(spec, "initial", NOW)
    (spec / "migrations" / "0003_access.sql").unlink()
    (spec / "migrations" / "0005_by_hand.sql").write_text("select 1;\n")
    with pytest.raises(CompileFailed) as error:
        compile_project(spec, tmp_path / "build")
    assert sorted(codes(error)) == ["UPOE411", "UPOE412"]
    deleted = next(d for d in error.value.diagnostics if d.code == "UPOE411")
    assert deleted.position is not None and deleted.position.file.endswith("upoe.sum")
    assert deleted.position.line == 4
    assert not (tmp_path / "build").exists()


def test_a_damaged_sum_is_refused(spec: Path) -> None:
    release_project(spec, "initial", NOW)
    sum_path = spec / "migrations" / "upoe.sum"
    lines = sum_path.read_text().splitlines()
    sum_path.write_text("\n".join(["h1:AAAA", *lines[1:]]) + "\n")
    with pytest.raises(CompileFailed) as error:
        check_project(spec)
    assert codes(error) == ["UPOE413"]


def add_lane(spec: Path) -> None:
    access = spec / "access.yaml"
    access.write_text(access.read_text().replace(
        "      notes: {type: text, description: Free notes.}\n      logged_at:",
        "      notes: {type: text, description: Free notes.}\n      lane: {type: text, description: The lane.}\n"
        "      logged_at:", 1))


def test_a_change_after_a_release_is_pending_until_released(spec: Path, tmp_path: Path) -> None:
    release_project(spec, "initial", NOW)
    crm = spec / "crm.yaml"
    crm.write_text(crm.read_text() + "\n# a comment moves no object\n")
    assert not any("pending" in name for name in compile_project(spec, None).files)
    add_lane(spec)
    files = compile_project(spec, tmp_path / "build").files
    pending = files[PENDING]
    assert "alter table public.access_logs add column lane text;" in pending
    assert "comment on column public.access_logs.lane is 'The lane.';" in pending
    written = release_project(spec, "add_lane", NOW)
    assert [p.name for p in written] == ["20261207120000_add_lane.sql", "20261207120000_add_lane.model.json",
                                         "upoe.sum"]
    assert written[0].read_text() == pending
    after = compile_project(spec, None).files
    assert [n for n in after if n.startswith("supabase/migrations/")] == [
        *(f"supabase/migrations/{name}" for name in BASELINE), "supabase/migrations/20261207120000_add_lane.sql"]


def test_a_dropped_column_needs_an_acknowledgement(spec: Path, tmp_path: Path) -> None:
    release_project(spec, "initial", NOW)
    access = spec / "access.yaml"
    access.write_text(access.read_text().replace(
        "      notes: {type: text, description: Free notes.}\n      logged_at:", "      logged_at:", 1))
    with pytest.raises(CompileFailed) as error:
        compile_project(spec, tmp_path / "build")
    assert codes(error) == ["UPOE414"]
    diagnostic = error.value.diagnostics[0]
    assert "drops column public.access_logs.notes" in diagnostic.message
    assert diagnostic.hint and 'acknowledge: [{drop: "column access_logs.notes"' in diagnostic.hint
    assert diagnostic.position is not None and diagnostic.position.file.endswith("access.yaml")
    with pytest.raises(CompileFailed):
        release_project(spec, "drop_notes", NOW)
    assert sorted(p.name for p in (spec / "migrations").iterdir())[-1] == "upoe.sum"
    assert not (tmp_path / "build").exists()
    # Acknowledged, with a reason, the column and its values go.
    access.write_text(access.read_text() + "acknowledge:\n  - {drop: column access_logs.notes, reason: unused}\n")
    pending = compile_project(spec, None).files[PENDING]
    assert "alter table public.access_logs drop column notes;" in pending


def test_a_release_name_must_be_snake_case(spec: Path) -> None:
    with pytest.raises(CompileFailed) as error:
        release_project(spec, "Add Parking", NOW)
    assert codes(error) == ["UPOE415"]
    assert not (spec / "migrations").exists()


def test_the_cli_releases_and_then_refuses_an_edit(spec: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["release", "initial", "--spec", str(spec)])
    assert first.exit_code == 0, first.output
    assert "upoe.sum" in first.output
    again = runner.invoke(app, ["release", "again", "--spec", str(spec)])
    assert again.exit_code == 0 and "nothing pending" in again.output
    (spec / "migrations" / "0001_foundation.sql").write_text("-- emptied\n")
    refused = runner.invoke(app, ["compile", "--spec", str(spec), "--out", str(tmp_path / "build")])
    assert refused.exit_code == 1
    assert "UPOE410" in refused.output and "0001_foundation.sql" in refused.output


def test_a_renamed_column_is_renamed_not_dropped_and_added(spec: Path) -> None:
    release_project(spec, "initial", NOW)
    access = spec / "access.yaml"
    access.write_text(access.read_text().replace(
        '      provider_personnel_id: {type: uuid, description: "',
        '      provider_staff_id: {type: uuid, renamed_from: provider_personnel_id, description: "', 1))
    pending = compile_project(spec, None).files[PENDING]
    assert "alter table public.access_logs rename column provider_personnel_id to provider_staff_id;" in pending
    assert "drop column" not in pending and "add column" not in pending
    release_project(spec, "rename_provider_staff", NOW)
    # Released, the rename is history: the same spec has nothing pending.
    assert not any("pending" in name for name in compile_project(spec, None).files)


def small_domain(name: str, requirement: str) -> str:
    return (f"domain: {name}\ntitle: {name.title()}\ndescription: {name.title()} of a community.\nphase: 5\n"
            f"requirements:\n  {requirement}: Keep {name}.\n"
            f"tables:\n  {name}:\n    description: {name.title()}.\n    requirements: [{requirement}]\n"
            "    tenancy: community\n    columns: {label: text}\n    access:\n      select: [member]\n")


def test_the_docs_link_each_object_to_the_released_or_pending_file_creating_it(spec: Path, tmp_path: Path) -> None:
    release_project(spec, "initial", NOW)
    (spec / "lockers.yaml").write_text(small_domain("lockers", "LCK-01"), encoding="utf-8")
    release_project(spec, "add_lockers", NOW)
    (spec / "shelves.yaml").write_text(small_domain("shelves", "SHF-01"), encoding="utf-8")
    files = compile_project(spec, tmp_path / "build").files
    index = files["docs/index.html"]
    linked = set(re.findall(r'href="\.\./supabase/migrations/([^"]+)"', index))
    assert linked and all(f"supabase/migrations/{name}" in files for name in linked), linked
    rows = dict(re.findall(r'<tr id="req-([^"]+)">(.*?)</tr>', index, re.DOTALL))
    assert 'migrations/0004_finance.sql"' in rows["FIN-01"]
    assert 'migrations/20261207120000_add_lockers.sql"' in rows["LCK-01"]
    pending = next(name for name in linked if name.endswith("_pending.sql"))
    assert f'migrations/{pending}"' in rows["SHF-01"] and "lockers" not in pending
