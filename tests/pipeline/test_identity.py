"""The IR as a differ needs it: one PostgreSQL object per identity, compared by content, never
by where the spec wrote it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.pipeline.conftest import REPO
from upoe_compiler import ir
from upoe_compiler.api import analyse


def model_of(spec_dir: Path) -> ir.Model:
    return analyse(spec_dir, run_lint=False)[0]


def edited_spec(tmp_path: Path, file: str, edit: object) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    path = spec / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    return spec


def changed(before: ir.Model, after: ir.Model) -> set[str]:
    changes = ir.compare(before, after)
    return {str(identity) for identity in (*changes.added, *changes.removed, *changes.changed)}


def test_comment_lines_added_to_a_spec_change_no_object(tmp_path: Path) -> None:
    before = model_of(REPO / "spec")

    def comment_everywhere(text: str) -> str:
        # A comment above the file and above every table shifts every position below it.
        return "# reviewed\n" + re.sub(r"(?m)^(  [a-z_]+:\n    description:)", r"  # a note\n\1", text)

    after = model_of(edited_spec(tmp_path, "crm.yaml", comment_everywhere))
    moved = [o.key for o, p in zip(before.objects, after.objects, strict=True) if o.position != p.position]
    assert len(moved) > 50, "the edit should move most CRM objects"
    assert before.objects == after.objects
    assert changed(before, after) == set()


def test_a_column_type_change_changes_that_column_only(tmp_path: Path) -> None:
    before = model_of(REPO / "spec")
    after = model_of(edited_spec(tmp_path, "crm.yaml", lambda text: text.replace(
        'floor: {type: text, description', 'floor: {type: citext, description', 1)))
    assert changed(before, after) == {"column public.units.floor"}


def test_a_new_enum_value_changes_that_type_only(tmp_path: Path) -> None:
    before = model_of(REPO / "spec")
    after = model_of(edited_spec(tmp_path, "crm.yaml", lambda text: text.replace(
        "values: [owner, tenant, authorized]", "values: [owner, tenant, authorized, guest]", 1)))
    assert changed(before, after) == {"type public.occupancy_type"}


def test_every_object_has_one_identity_and_every_identity_one_object() -> None:
    model = model_of(REPO / "spec")
    objects = model.pg_objects()  # raises when two IR objects create the same identity
    kinds = {identity.kind for identity in objects}
    assert {ir.ObjectKind.TABLE, ir.ObjectKind.COLUMN, ir.ObjectKind.CONSTRAINT, ir.ObjectKind.GRANT,
            ir.ObjectKind.ROW_LEVEL_SECURITY, ir.ObjectKind.POLICY, ir.ObjectKind.FUNCTION, ir.ObjectKind.TRIGGER,
            ir.ObjectKind.COMMENT, ir.ObjectKind.INDEX, ir.ObjectKind.TYPE} <= kinds
    assert ir.ObjectKind.OTHER not in kinds, "an IR type of the bundled spec has no identity of its own"
    assert {o.source for o in objects.values()} == {o.key for o in model.objects}


def test_policies_carry_the_access_rules_they_compile() -> None:
    model = model_of(REPO / "spec")
    for policy in model.of_type(ir.Policy):
        table = next(t for t in model.of_type(ir.Table) if t.name == policy.table)
        assert policy.rules == table.rules(policy.command), policy.name
        assert policy.rules, policy.name


def test_a_new_column_is_added_with_its_comment_and_nothing_else_changes(tmp_path: Path) -> None:
    before = model_of(REPO / "spec")
    after = model_of(edited_spec(tmp_path, "crm.yaml", lambda text: text.replace(
        '      floor: {type: text, description: "Floor, as written on site (e.g. PB, 3, M)."}',
        '      floor: {type: text, description: "Floor, as written on site (e.g. PB, 3, M)."}\n'
        '      wing: {type: text, description: The wing of the building.}', 1)))
    changes = ir.compare(before, after)
    assert [str(i) for i in changes.added] == ["column public.units.wing", "comment public.column units.wing"]
    assert not changes.removed and not changes.changed
    assert not ir.compare(before, before)
