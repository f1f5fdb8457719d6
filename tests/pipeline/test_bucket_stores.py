"""Buckets holding the files of several tables (`files:`): a release's model snapshot written when a
bucket had one table still reads, and `upoe plan` words uploads per entity folder once a bucket has
several."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.pipeline.conftest import REPO, SpecFolder
from upoe_compiler import ir
from upoe_compiler.access_diff import access_changes
from upoe_compiler.api import analyse
from upoe_compiler.graph import Plan
from upoe_compiler.manifest import read_manifest, render_manifest

CASE = REPO / "tests" / "evolution" / "bucket_stores"


def plan_of(tmp_path: Path, side: str) -> Plan:
    folder = SpecFolder(tmp_path / side)
    shutil.copy(CASE / side / "bucket.yaml", folder.path / "bucket.yaml")
    return analyse(folder.path)[1]


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Plan]:
    root = tmp_path_factory.mktemp("stores")
    return plan_of(root, "before"), plan_of(root, "after")


def bucket_of(plan: Plan) -> ir.Bucket:
    (bucket,) = plan.model.of_type(ir.Bucket)
    return bucket


def test_a_snapshot_of_a_one_table_bucket_reads_as_its_one_store(plans: tuple[Plan, Plan]) -> None:
    before, _ = plans
    document = json.loads(render_manifest(before))
    (written,) = [o for m in document["migrations"] for o in m["objects"] if o["kind"] == "Bucket"]
    # What a compiler of one-table buckets wrote: the store's fields on the bucket itself.
    (store,) = written.pop("stores")
    written.update(store)
    assert written["table"] == "reports" and "stores" not in written
    assert bucket_of(read_manifest(json.dumps(document))).stores == bucket_of(before).stores


def test_each_table_of_a_bucket_is_a_store_with_its_own_folders_and_rules(plans: tuple[Plan, Plan]) -> None:
    _, after = plans
    assert [(s.table, s.path_column, s.entity, [r.roles for r in s.upload]) for s in bucket_of(after).stores] == [
        ("reports", "photo_path", "reports", [("admin", "guard"), ("resident",)]),
        ("inspections", "sketch_path", "inspections", [("admin", "guard")])]
    select, insert = (condition for _, _, condition in bucket_of(after).policies)
    for condition in (select, insert):
        assert "(storage.foldername(name))[2] = 'reports'" in condition
        assert "(storage.foldername(name))[2] = 'inspections'" in condition
    assert "public.inspections owner_row" in select and "public.inspections entity_row" in insert


def test_uploads_are_compared_per_entity_folder_once_a_bucket_has_several(plans: tuple[Plan, Plan]) -> None:
    before, after = plans
    uploads = {str(change) for change in access_changes(before.model, after.model) if change.command == "upload"}
    assert uploads == {f"{role} · upload · bucket report-photos: reports folders: whole community → inspections "
                       "folders: whole community or reports folders: whole community (WIDENED)"
                       for role in ("admin", "guard")}
