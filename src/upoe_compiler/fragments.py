"""SQL fragments written in the spec (checks, conditions, defaults, queries): whether one can be
embedded in a generated statement, reported as UPOE229 where it was written."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pglast import parser

from .errors import DiagnosticSink, SourcePosition
from .sql_references import SqlNames, report_unknown, tree_references

BODY_DOLLAR_TAG = "$function$"


def fragment_problem(text: str) -> str | None:
    """Why an SQL fragment cannot be embedded in a statement, or None when it can."""
    depth = 0
    quote: str | None = None
    index = 0
    while index < len(text):
        char = text[index]
        pair = text[index:index + 2]
        if quote:
            if char == quote:
                if text[index + 1:index + 2] == quote:
                    index += 1
                else:
                    quote = None
        elif char in "'\"":
            quote = char
        elif pair in ("--", "/*"):
            return "contains an SQL comment"
        elif char == "$" and "$" in text[index + 1:] and _dollar_quote_at(text, index):
            return "contains a dollar-quoted string"
        elif char == ";":
            return "contains ';': an expression cannot end a statement"
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return "has a ')' without its '('"
        index += 1
    if quote:
        return f"has an unclosed {quote}"
    if depth:
        return "has a '(' without its ')'"
    if not text.strip():
        return "is empty"
    return None


def _dollar_quote_at(text: str, index: int) -> bool:
    end = text.find("$", index + 1)
    tag = text[index + 1:end]
    return end > index and (tag == "" or tag.replace("_", "a").isalnum()) and not tag[:1].isdigit()


def check_fragment(text: str, position: SourcePosition, sink: DiagnosticSink, names: SqlNames | None = None) -> None:
    check_expression(text, position, sink, names=names)


def check_trigger_condition(text: str, position: SourcePosition, sink: DiagnosticSink,
                            names: SqlNames | None = None) -> None:
    """A trigger's `when`: PostgreSQL evaluates it before the function runs, so it names the row
    only as new.<column> and old.<column>; a bare name (tg_op, a column without new.) would fail
    when the migration is applied."""
    check_expression(text, position, sink, columns=(), where=" in a trigger condition", names=names,
                     unknown_hint="a trigger condition reads new.<column> and old.<column>; tg_op and other "
                                  "PL/pgSQL variables exist only inside the function (choose the events instead)")


# -- PostgreSQL's own grammar ------------------------------------------------------------------

# An expression is parsed as the one column of a select; a newline keeps the closing parenthesis
# out of any trailing comment (comments are refused above anyway).
_WRAP = "select ("


def _parse(text: str) -> tuple[str | None, tuple[str, int] | None]:
    """The parse tree of an expression (as JSON), or PostgreSQL's syntax error with its offset in `text`."""
    try:
        return parser.parse_sql_json(f"{_WRAP}{text}\n)"), None
    except parser.ParseError as error:
        message, index = error.args
        return None, (str(message), max(0, min(len(text), int(index) - len(_WRAP))))


def _column_refs(node: object, found: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Unqualified column names of an expression with their offsets, outside subqueries (whose
    names belong to the tables they read)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "SubLink":
                continue
            if key == "ColumnRef":
                fields = value.get("fields", [])
                if len(fields) == 1 and "String" in fields[0]:
                    found.append((fields[0]["String"]["sval"], int(value.get("location", 0)) - len(_WRAP)))
                continue
            _column_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _column_refs(item, found)
    return found


def place_in(position: SourcePosition, text: str, offset: int) -> SourcePosition:
    """Where the token at character `offset` of a fragment written at `position` stands in its file,
    with its end when PostgreSQL's scanner finds a token starting there (on one line)."""
    start = _place_character(position, text, offset)
    end = _token_end(text, offset)
    after = _place_character(position, text, end) if end is not None and start is not position else position
    if after is position or after.line != start.line:
        return start
    return SourcePosition(start.file, start.line, start.column, after.line, after.column)


def _token_end(text: str, offset: int) -> int | None:
    """The offset just past the SQL token starting at `offset`; None when no token starts there."""
    if not text.isascii():  # the scanner counts bytes
        return None
    try:
        tokens = parser.scan(text)
    except parser.ParseError:
        return None
    return next((token.end + 1 for token in tokens if token.start == offset), None)


def _place_character(position: SourcePosition, text: str, offset: int) -> SourcePosition:
    """Where character `offset` of a fragment written at `position` stands in its file: the
    scalar's characters are followed through quotes, block scalars (their indentation) and line
    breaks; when they cannot be followed (escapes), the fragment's own position."""
    try:
        lines = Path(position.file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return position
    line, column = position.line - 1, position.column - 1
    if line >= len(lines):
        return position
    opener = lines[line][column:column + 1]
    indent = None
    if opener in ("|", ">"):
        line += 1
        while line < len(lines) and not lines[line].strip():
            line += 1
        if line >= len(lines):
            return position
        indent = len(lines[line]) - len(lines[line].lstrip(" "))
        column = indent
    elif opener in ("'", '"'):
        column += 1

    def next_line(current: int) -> tuple[int, int]:
        following = current + 1
        if following >= len(lines):
            return following, 0
        text_line = lines[following]
        return following, indent if indent is not None else len(text_line) - len(text_line.lstrip(" "))

    for char in text[:offset]:
        if line >= len(lines):
            return position
        if char == "\n" or (char == " " and column >= len(lines[line])):
            line, column = next_line(line)
            continue
        if column < len(lines[line]) and lines[line][column] == char:
            column += 1
            continue
        return position
    return SourcePosition(position.file, line + 1, column + 1) if line < len(lines) else position


def offset_in_file(file: str, text: str, offset: int) -> SourcePosition:
    """Where character `offset` of `text`, the whole content of `file`, stands, with the end of
    the SQL token starting there when it ends on the same line."""
    start = _line_and_column(text, offset)
    end = _token_end(text, offset)
    after = _line_and_column(text, end) if end is not None else None
    if after is None or after[0] != start[0]:
        return SourcePosition(file, *start)
    return SourcePosition(file, *start, *after)


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def check_expression(text: str, position: SourcePosition, sink: DiagnosticSink,
                     columns: Iterable[str] | None = None, where: str = "", names: SqlNames | None = None,
                     unknown_hint: str | None = None) -> None:
    """An SQL expression of the spec: embeddable (UPOE229), valid for PostgreSQL's grammar
    (UPOE229, at the token the parser names), when `columns` is given naming only those columns
    outside subqueries (UPOE233, with the closest name), and when `names` is given reading and
    calling only tables and functions that exist (UPOE234, UPOE235)."""
    problem = fragment_problem(text)
    if problem:
        sink.error("UPOE229", f"SQL expression {problem}", position,
                   "write a single SQL expression; functions with statements go under `functions:`")
        return
    tree, error = _parse(text)
    if error is not None:
        message, offset = error
        sink.error("UPOE229", f"SQL expression: {message}", place_in(position, text, offset),
                   "PostgreSQL cannot read the expression here: check the spelling and the parentheses")
        return
    assert tree is not None
    if names is not None:
        references, ctes = tree_references(tree)
        shifted = [replace(r, offset=max(0, r.offset - len(_WRAP))) for r in references]
        report_unknown((shifted, ctes), names, lambda offset: place_in(position, text, offset), where, sink)
    if columns is None:
        return
    known = set(columns)
    for name, offset in _column_refs(json.loads(tree), []):
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = (f"did you mean '{close[0]}'?" if close else unknown_hint
                    or f"the columns here: {', '.join(sorted(known))}")
            sink.error("UPOE233", f"unknown column '{name}'{where}", place_in(position, text, max(0, offset)), hint)


def _near(message: str, text: str) -> int:
    """Where in `text` the token a PL/pgSQL parse error names (`… near "selct"`) first stands."""
    start = message.find('"')
    token = message[start + 1:message.find('"', start + 1)] if start >= 0 else ""
    found = text.find(token) if token else -1
    return max(found, 0)


def query_problem(text: str) -> tuple[str, int, bool] | None:
    """Why a view's query cannot be a view: (message, offset in the text, whether PostgreSQL's
    grammar refused it), or None for one select statement."""
    try:
        statements = parser.parse_sql(text)
    except parser.ParseError as error:
        message, index = error.args
        return str(message), int(index or 0), True
    if len(statements) != 1 or type(statements[0].stmt).__name__ != "SelectStmt":
        kinds = ", ".join(type(raw.stmt).__name__.removesuffix("Stmt").lower() for raw in statements) or "nothing"
        return f"a view's query is one select statement, not {kinds}", 0, False
    return None


def body_problem(body: str, language: str, arguments: str, returns: str) -> tuple[str, int] | None:
    """PostgreSQL's syntax error in a function body, with its offset in the body; None when it
    parses. PL/pgSQL is parsed inside the function's own header, so parameters are known."""
    try:
        if language == "sql":
            parser.parse_sql(body)
        else:
            parser.parse_plpgsql_json(f"create function f({arguments}) returns {returns} language plpgsql "
                                      f"as $upoe_body${body}$upoe_body$")
    except parser.ParseError as error:
        message, index = error.args
        # Only the grammar: what needs the catalog (a variable's type, say) is the server's to tell.
        if not str(message).startswith(("syntax error", "unterminated")):
            return None
        return str(message), (int(index) if index is not None and language == "sql" else _near(str(message), body))
    return None
