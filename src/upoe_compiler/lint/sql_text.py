"""Small, careful readings of SQL text that the rules share."""

from __future__ import annotations

import re

# What reads the request (the JWT or a setting). In a policy each such call must be
# evaluated once per statement (an initPlan), i.e. written as the whole of `(select …)`.
REQUEST_READERS = ("auth.uid", "auth.jwt", "auth.role", "auth.email", "current_setting")
_WRAPPED = re.compile(r"\(\s*select\s+$", re.IGNORECASE)


def strip_literals(text: str) -> str:
    """The text with string literals and comments blanked (same length), so that words in
    them are not read as code."""

    def blank(match: re.Match[str]) -> str:
        token = match.group()
        if token.startswith("'"):
            return "'" + " " * (len(token) - 2) + "'"
        return " " * len(token)

    return re.sub(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", blank, text, flags=re.DOTALL)


def calls(text: str, names: set[str]) -> list[tuple[str, int]]:
    """Calls of the named functions (`name` or `schema.name`) with their offsets."""
    code = strip_literals(text)
    found = []
    for match in re.finditer(r"\b((?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*)\s*\(", code):
        name = match.group(1)
        if name in names or name.split(".")[-1] in names:
            found.append((name, match.start()))
    return found


def unwrapped_calls(text: str, names: set[str]) -> list[str]:
    """Calls of `names` in `text` that are not the whole of a `(select …)`."""
    code = strip_literals(text)
    return [name for name, start in calls(text, names) if not _WRAPPED.search(code[:start])]


def mentions_user_metadata(text: str) -> bool:
    """Whether code (a JSON key in a literal counts; comments do not) reads user metadata."""
    code = re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.DOTALL)
    return bool(re.search(r"user_metadata|raw_user_meta_data", code))
