"""Access conditions in words, read from a rule's intent (never from the policy it compiles to).

An ownership path (`own: unit_id`, `own: invitation_id.unit_id`) is said through the columns it
follows; a `where:` or `check:` fragment is parsed with PostgreSQL's grammar and said in words when
it only compares the row's columns with constants, tests them for null or combines such tests with
and/or; any other fragment is shown as written, as code.
"""

from __future__ import annotations

import json
from typing import Any

from pglast import parser

from ... import ir
from ...vocabulary import Tenancy
from .pages import Phrase

# SQL comparison operators as a sentence says them ("status is pending").
_OPERATORS = {"=": "is", "<>": "is not", "!=": "is not", "<": "is less than", ">": "is more than",
              "<=": "is at most", ">=": "is at least"}
AUTH_USERS = "auth.users"


def column_words(column: str) -> str:
    """A column as a sentence names it: `verification_status` → verification status, `unit_id` → unit."""
    return column.removesuffix("_id").replace("_", " ")


def member_words(member: ir.Membership) -> str:
    """The rows a `member:` rule narrows to: "rows of clubs they take part in (widget_club_members)";
    a member owning through another path than their user id takes part "through their unit"."""
    group = column_words(member.key)
    through = "" if member.own == "user_id" else f" through their {column_words(member.own.split('.')[-1])}"
    return f"rows of {group}s they take part in{through} ({member.table})"


def owner_words(tables: dict[str, ir.Table], table_name: str, path: str) -> str:
    """The rows an `own:` path narrows to: "rows whose unit is theirs", "rows reported by them",
    "rows whose invitation's unit is theirs", "rows that are theirs" (`own: id`)."""
    *hops, last = path.split(".")
    table = tables[table_name]
    steps = []
    for hop in hops:
        steps.append(column_words(hop))
        table = tables[_column(table, hop).references or ""]
    if last == "id":
        return f"rows whose {_possessive(steps)} is theirs" if steps else "rows that are theirs"
    references = _column(table, last).references
    is_user = references == AUTH_USERS or (table.tenancy == Tenancy.USER and last == table.tenant_column)
    if is_user and last.endswith("_by"):
        said = last.replace("_", " ")
        return f"rows whose {_possessive(steps)}'s {said} them" if steps else f"rows {said} them"
    return f"rows whose {_possessive([*steps, column_words(last)])} is {'them' if is_user else 'theirs'}"


def _possessive(steps: list[str]) -> str:
    return "'s ".join(steps)


def _column(table: ir.Table, name: str) -> ir.Column:
    return next(column for column in table.columns if column.name == name)


def fragment_phrases(lead: str, fragment: str, code_lead: str) -> tuple[Phrase, ...]:
    """A fragment in words after `lead` ("while status is pending"), or, when it cannot be said
    mechanically, as code after `code_lead` ("where `pet_id in (select …)`")."""
    words = condition_words(fragment)
    if words is not None:
        return (Phrase(f"{lead} {words}"),)
    return Phrase(f"{code_lead} "), Phrase(" ".join(fragment.split()), code=True)


def condition_words(fragment: str) -> str | None:
    """A condition in words, or None when it does more than compare columns with constants."""
    try:
        tree = json.loads(parser.parse_sql_json(f"select ({fragment}\n)"))
    except parser.ParseError:
        return None
    return _words(tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"], top=True)


def _words(node: dict[str, Any], top: bool = False) -> str | None:
    kind, value = next(iter(node.items()))
    if kind == "BoolExpr":
        parts = [_words(arg) for arg in value["args"]]
        if any(part is None for part in parts):
            return None
        said = [part for part in parts if part is not None]
        if value["boolop"] == "NOT_EXPR":
            return f"not {said[0]}"
        joined = ", ".join(said[:-1]) + (" and " if value["boolop"] == "AND_EXPR" else " or ") + said[-1]
        return joined if top else f"({joined})"
    if kind == "ColumnRef":
        return _column_name(value)
    if kind == "NullTest":
        column = _column_name(value["arg"].get("ColumnRef"))
        if column is None:
            return None
        return f"{column} is {'not ' if value['nulltesttype'] == 'IS_NULL' else ''}set"
    if kind == "BooleanTest":
        column = _column_name(value["arg"].get("ColumnRef"))
        tests = {"IS_TRUE": "", "IS_NOT_FALSE": "", "IS_FALSE": "not ", "IS_NOT_TRUE": "not "}
        test = value["booltesttype"]
        return None if column is None or test not in tests else f"{tests[test]}{column}"
    if kind == "A_Expr":
        return _comparison(value)
    return None


def _comparison(expression: dict[str, Any]) -> str | None:
    column = _column_name(expression.get("lexpr", {}).get("ColumnRef"))
    operator = expression["name"][0]["String"]["sval"]
    if column is None:
        return None
    if expression["kind"] == "AEXPR_OP" and operator in _OPERATORS:
        constant = _constant(expression["rexpr"])
        return None if constant is None else f"{column} {_OPERATORS[operator]} {constant}"
    if expression["kind"] == "AEXPR_IN":
        constants = [_constant(item) for item in expression["rexpr"].get("List", {}).get("items", [])]
        if not constants or any(c is None for c in constants):
            return None
        said = [c for c in constants if c is not None]
        listed = ", ".join(said[:-1]) + (" or " if len(said) > 1 else "") + said[-1]
        return f"{column} is {listed}" if operator == "=" else f"{column} is none of {', '.join(said)}"
    return None


def _column_name(reference: dict[str, Any] | None) -> str | None:
    fields = (reference or {}).get("fields", [])
    if len(fields) != 1 or "String" not in fields[0]:
        return None
    return str(fields[0]["String"]["sval"]).replace("_", " ")


def _constant(node: dict[str, Any]) -> str | None:
    constant = node.get("A_Const")
    if constant is None:
        return None
    for key, inner in (("sval", "sval"), ("ival", "ival"), ("fval", "fval"), ("boolval", "boolval")):
        if key in constant:
            value = constant[key].get(inner, 0 if key == "ival" else False)
            return str(value).lower() if key == "boolval" else str(value)
    return "null" if constant.get("isnull") else None
