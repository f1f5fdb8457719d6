"""Patterns resolve reads SQL text with: qualified names, calls, words, return shapes."""

from __future__ import annotations

import re

SETOF = re.compile(r"^\s*setof\s+(.+?)\s*$", re.IGNORECASE)
TABLE_RETURNS = re.compile(r"^\s*table\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
QUALIFIED_NAME = re.compile(r"\b(public|private)\.([a-z_][a-z0-9_]*)\b")
CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\(")
WORD = re.compile(r"\b([a-z_][a-z0-9_]*)\b")
