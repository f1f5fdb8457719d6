"""Stage 3 — resolve.

Input: a `ValidatedSpec`.
Output: the `ir.Model`: every pattern (tenancy, audit, soft delete, immutability,
access intent, tenant-safe foreign keys) expanded into plain database objects, each with
the keys of the objects it depends on.
Errors: UPOE240 a pattern needs a function the spec does not declare; UPOE241 two objects of one
name (a declared index and one a pattern adds).
"""

from __future__ import annotations

from .. import ir
from ..errors import DiagnosticSink
from ..validated import ValidatedSpec
from .model import Resolver

__all__ = ["resolve"]


def resolve(spec: ValidatedSpec, sink: DiagnosticSink) -> ir.Model:
    return Resolver(spec, sink).run()
