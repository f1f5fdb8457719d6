"""`build/manifest.json`: the resolved model as versioned data for docs, tests and tools."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from . import ir
from .graph import Plan

SCHEMA_VERSION = 1


def manifest(plan: Plan) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "upoe-compiler",
        "migrations": [
            {
                "file": migration.file_name,
                "domain": dataclasses.asdict(migration.domain),
                "objects": [_object(obj) for obj in migration.objects],
            }
            for migration in plan.migrations
        ],
    }


def _object(obj: ir.DbObject) -> dict[str, Any]:
    data = {"kind": type(obj).__name__}
    for item in dataclasses.fields(obj):
        if item.name not in ("position",):
            data[item.name] = getattr(obj, item.name)
    return json.loads(json.dumps(data, default=_plain))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)  # type: ignore[arg-type]
    raise TypeError(f"cannot serialise {type(value).__name__}")


def render_manifest(plan: Plan) -> str:
    return json.dumps(manifest(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
