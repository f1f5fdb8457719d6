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
    data: dict[str, Any] = {"kind": type(obj).__name__}
    for item in dataclasses.fields(obj):
        if item.name != "position":
            data[item.name] = _plain(getattr(obj, item.name))
    return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def render_manifest(plan: Plan) -> str:
    return json.dumps(manifest(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
