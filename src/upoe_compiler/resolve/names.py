"""Names shared by the resolve stage: API roles, the platform domain, pattern functions."""

from __future__ import annotations

import re

API_ROLES = ("anon", "authenticated", "service_role")
PLATFORM = ""  # the domain of objects every migration needs first

# Functions the patterns call; the foundation domain declares them.
PATTERN_FUNCTIONS = {
    "uuid": "generate_uuid_v7",
    "audit": "set_audit_fields",
    "immutable": "prevent_mutation",
    "community": "get_current_community_id",
    "roles": "has_any_role",
    "platform": "is_super_admin",
    "paths": "paths_in_community",
}

SETOF = re.compile(r"^\s*setof\s+(.+?)\s*$", re.IGNORECASE)
TABLE_RETURNS = re.compile(r"^\s*table\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
QUALIFIED_NAME = re.compile(r"\b(public|private)\.([a-z_][a-z0-9_]*)\b")
CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\(")
WORD = re.compile(r"\b([a-z_][a-z0-9_]*)\b")
