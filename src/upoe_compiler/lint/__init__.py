"""Lint — proofs over the resolved model that the SQL we emit is safe on Supabase.

Input: the `ir.Model` (no database needed).
Output: one `Diagnostic` per finding, each with a stable code (UPOE5xx), the spec location
that explains the object, and a hint.

Most findings cannot come from the DSL's patterns; they guard the escape hatches (function
bodies, `where` conditions, view queries) and the compiler itself.
"""

from __future__ import annotations

from .engine import RULES, Rule, lint, rule_docs

__all__ = ["RULES", "Rule", "lint", "rule_docs"]
