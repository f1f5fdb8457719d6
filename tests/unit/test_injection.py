"""Hostile text in a spec, and YAML at its limits.

Text (descriptions, enum values, defaults, string literals inside expressions) may hold
quotes, dollar quotes, `';drop table x;--`, backslashes, newlines and any unicode: it must
compile, and the generated SQL must hold it only inside correctly quoted literals. An SQL
expression that would end its statement or comment out the rest (`;`, `--`, `/* */`,
dollar quotes) is reported where it is written. Files just under and over the size limit,
CRLF line endings, a byte order mark, aliases and names of exactly 63 bytes behave as the
README says.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from upoe_compiler.api import check_project, compile_project
from upoe_compiler.cli import app
from upoe_compiler.errors import CompileFailed
from upoe_compiler.loader import MAX_SPEC_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_SPEC = ROOT / "spec"

# Each holds a marker (zq1…) so that a piece of it outside a literal is found.
HOSTILE = [
    "zq1 It's the \"main\" gate; O'Brien's key.",
    "zq2 Costs $$5$$, or $function$ select 1 $function$, or $x$ 6 $x$.",
    "zq3';drop table x;--",
    "zq4 Back\\slash, \\' and \\\\ and \\n stay as written.",
    "zq5 Ñandú, 日本語, 🏠, a zero\u200bwidth space and a right-to-left \u202emark.",
    "zq6 Line one.\n'); drop table x; -- zq6\nzq6 Line three.",
    "zq7 /* not a comment */ -- nor this ; nor this",
]
HOSTILE_ENUM_VALUES = ["plain", "it's", "a$$b", "x';drop table x;--", "back\\slash", "ñandú", "$function$"]
# Never in generated code outside a literal, a quoted name, a dollar-quoted body or a comment.
FORBIDDEN_IN_CODE = ["zq", "drop table", "Brien", "Ñandú", "ñandú", "日本語", "🏠", "\u200b", "\u202e", "slash",
                     "nor this", "Line three"]


def spec_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """tmp_path/spec: the bundled spec plus `files` (name: text or bytes)."""
    spec_dir = tmp_path / "spec"
    shutil.copytree(BUNDLED_SPEC, spec_dir)
    for name, content in files.items():
        path = spec_dir / name
        assert not path.exists()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return spec_dir


# --- reading generated SQL ------------------------------------------------------------

_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


@dataclass
class Scanned:
    """SQL split into code and string literals (quoted names, dollar-quoted bodies and
    comments are left out of both)."""

    code: str = ""
    literals: list[str] = field(default_factory=list)
    # Each statement: its code (literals as `?`) and its literals.
    statements: list[tuple[str, list[str]]] = field(default_factory=list)


def scan_sql(text: str) -> Scanned:
    """Read SQL as PostgreSQL does (standard-conforming strings); fail on anything left open."""
    scanned = Scanned()
    code: list[str] = []
    statement_code: list[str] = []
    statement_literals: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "'":
            # E'…' reads backslashes as escapes: the compiler never writes one.
            assert not (index and text[index - 1] in "eE"
                        and not (index >= 2 and (text[index - 2].isalnum() or text[index - 2] == "_"))), \
                f"escape string literal at offset {index}: {text[index - 20:index + 20]!r}"
            value: list[str] = []
            start = index + 1
            while True:
                end = text.find("'", start)
                assert end != -1, f"unterminated literal at offset {index}: {text[index:index + 60]!r}"
                value.append(text[start:end])
                if text[end + 1:end + 2] == "'":
                    value.append("'")
                    start = end + 2
                    continue
                break
            literal = "".join(value)
            scanned.literals.append(literal)
            statement_literals.append(literal)
            code.append(" ")
            statement_code.append("?")
            index = end + 1
        elif char == '"':
            end = index + 1
            while True:
                end = text.find('"', end)
                assert end != -1, f"unterminated quoted name at offset {index}"
                if text[end + 1:end + 2] == '"':
                    end += 2
                    continue
                break
            code.append(" ")
            statement_code.append("ident")
            index = end + 1
        elif text.startswith("--", index):
            end = text.find("\n", index)
            index = len(text) if end == -1 else end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            assert end != -1, f"unterminated comment at offset {index}"
            index = end + 2
        elif char == "$" and (match := _DOLLAR.match(text, index)) and not (
                index and (text[index - 1].isalnum() or text[index - 1] == "_")):
            tag = match.group(0)
            end = text.find(tag, match.end())
            assert end != -1, f"unterminated dollar quote {tag} at offset {index}"
            code.append(" ")
            statement_code.append("$body$")
            index = end + len(tag)
        else:
            code.append(char)
            if char == ";":
                scanned.statements.append(("".join(statement_code).strip(), statement_literals))
                statement_code, statement_literals = [], []
            else:
                statement_code.append(char)
            index += 1
    assert not "".join(statement_code).strip(), f"text after the last statement: {''.join(statement_code)[:80]!r}"
    scanned.code = "".join(code)
    return scanned


def comments_of(scanned: Scanned) -> list[str]:
    """The text of every `comment on … is '…';`."""
    found = []
    for code, literals in scanned.statements:
        if code.lower().startswith("comment on"):
            assert code.endswith("is ?"), code
            found.append(literals[-1])
    return found


def test_scan_sql_reads_quotes_as_postgresql_does() -> None:
    scanned = scan_sql("comment on table t is 'it''s; -- not code';\nselect $f$ 'x $f$, \"a\"\"b\";")
    assert scanned.literals == ["it's; -- not code"]
    assert comments_of(scanned) == ["it's; -- not code"]
    assert "not code" not in scanned.code
    with pytest.raises(AssertionError):
        scan_sql("comment on table t is 'it's';")  # a quote that is not doubled leaves one open


# --- hostile text compiles into literals ----------------------------------------------

def hostile_domain() -> dict[str, Any]:
    """A domain whose every description, text default and enum value is hostile."""
    columns: dict[str, Any] = {
        f"note_{index}": {"type": "text", "description": text, "default": text, "example": text}
        for index, text in enumerate(HOSTILE)
    }
    columns["label"] = {"type": "hostile_label", "required": True, "default": HOSTILE_ENUM_VALUES[3],
                        "description": HOSTILE[2]}
    columns["tags"] = {"type": "text[]", "default": HOSTILE[:3], "description": HOSTILE[1]}
    columns["settings"] = {"type": "jsonb", "required": True, "default": {"motto": HOSTILE[2], "k'ey": HOSTILE[5]}}
    return {
        "domain": "hostile",
        "title": HOSTILE[0],
        "description": HOSTILE[5],
        "phase": 9,
        "requirements": {"HOST-01": HOSTILE[2]},
        "roles": {"gatekeeper": HOSTILE[0]},
        "enums": {"hostile_label": {"description": HOSTILE[1], "values": HOSTILE_ENUM_VALUES}},
        "types": {"hostile_text": {"type": "text", "check": "value <> ''';drop table x;--'",
                                   "description": HOSTILE[3], "example": HOSTILE[4]}},
        "functions": {"hostile_echo": {
            "description": HOSTILE[4],
            "args": [{"name": "p_text", "type": "text", "default": "'it''s $$ ;-- zq'"}],
            "returns": "text", "language": "sql", "volatility": "immutable", "body": "select p_text"}},
        "tables": {"hostile_notes": {
            "description": HOSTILE[6],
            "tenancy": "community",
            "columns": columns,
            "checks": {"note_2_not_a_statement": {"expression": "note_2 <> ''';drop table x;--' or note_2 is null",
                                                  "description": HOSTILE[2]}},
        }},
        "views": {"hostile_view": {
            "description": HOSTILE[3],
            "query": "select n.id, n.note_0, 'it''s; -- zq fine' as quip from public.hostile_notes n",
            "columns": {"quip": HOSTILE[6], "note_0": HOSTILE[5]}}},
    }


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("hostile")
    text = yaml.safe_dump(hostile_domain(), allow_unicode=True, sort_keys=False, width=10_000)
    spec_dir = spec_with(tmp_path, {"hostile.yaml": text})
    result = compile_project(spec_dir, tmp_path / "build")
    assert (tmp_path / "build" / "manifest.json").is_file()
    return result.files


def test_hostile_text_compiles_into_literals_only(hostile_build: dict[str, str]) -> None:
    for name, text in hostile_build.items():
        if not name.endswith(".sql"):
            continue
        scanned = scan_sql(text)
        for forbidden in FORBIDDEN_IN_CODE:
            assert forbidden not in scanned.code, (name, forbidden)


def test_every_comment_round_trips_its_description(hostile_build: dict[str, str]) -> None:
    migration = next(text for name, text in hostile_build.items() if name.endswith("_hostile.sql"))
    scanned = scan_sql(migration)
    comments = comments_of(scanned)
    # The description of the table, its columns, the enum, the type, the function, the view and its columns.
    for text in HOSTILE:
        assert text in comments, text
    assert len(comments) >= 15
    # Each comment line, read back with PostgreSQL's quote doubling, is the description exactly.
    for line in migration.splitlines():
        match = re.fullmatch(r"comment on .+? is '((?:[^']|'')*)';", line)
        if match:
            assert match.group(1).replace("''", "'") in comments


def test_text_defaults_and_enum_values_are_literals(hostile_build: dict[str, str]) -> None:
    migration = next(text for name, text in hostile_build.items() if name.endswith("_hostile.sql"))
    literals = scan_sql(migration).literals
    for text in (*HOSTILE, *HOSTILE_ENUM_VALUES):
        assert text in literals, text
    assert json.dumps({"k'ey": HOSTILE[5], "motto": HOSTILE[2]}, ensure_ascii=False,
                      separators=(", ", ": ")) in literals
    # Expressions are kept as written: their own literals stay literals.
    assert "';drop table x;--" in literals
    assert "it's; -- zq fine" in literals


def test_the_manifest_holds_the_hostile_text(hostile_build: dict[str, str]) -> None:
    manifest = json.dumps(json.loads(hostile_build["manifest.json"]), ensure_ascii=False)
    assert json.dumps(HOSTILE[6], ensure_ascii=False) in manifest


# --- expressions that would break out are reported where written ---------------------

# Every place the DSL takes an SQL expression; `{e}` is where it goes (a JSON string is a
# double-quoted YAML scalar).
EXPRESSION_PLACES = """\
domain: hostile
title: Hostile expressions
description: Every place an SQL expression is written.
phase: 9
enums:
  hostile_state:
    description: States.
    values: [open, closed]
types:
  hostile_amount:
    type: "numeric(15,4)"
    check: {e}
    description: An amount.
functions:
  hostile_echo:
    description: Echoes.
    args:
      - name: p_amount
        type: integer
        default: {e}
    returns: integer
    language: sql
    body: select p_amount
  hostile_touch:
    description: A trigger function.
    returns: trigger
    body: |
      begin
          return new;
      end;
    execute: []
tables:
  hostile_notes:
    description: Notes.
    tenancy: community
    columns:
      amount:
        type: integer
        check: {e}
      seen_at:
        type: timestamptz
        default_sql: {e}
      label: text
      shout:
        type: text
        generated: {e}
      code:
        type: text
        normalize: {e}
      status:
        type: hostile_state
        required: true
        default: open
      reason: text
    checks:
      amount_positive:
        expression: {e}
    unique:
      - columns: [code]
        where: {e}
    indexes:
      - expression: {e}
      - columns: [label]
        where: {e}
    when:
      status:
        closed:
          require: [reason]
          check: {e}
    triggers:
      - function: hostile_touch
        events: [insert]
        when: {e}
    access:
      select: [member]
      update:
        - roles: [admin]
          where: {e}
  hostile_bookings:
    description: Bookings.
    tenancy: community
    columns:
      period: {type: tstzrange, required: true}
    exclude:
      - columns: {period: "&&"}
        where: {e}
views:
  hostile_view:
    description: A view.
    query: {e}
"""
# A fitting expression for each `{e}`, in order.
BENIGN = ["value >= 0", "0", "amount > 0", "pg_catalog.now()", "upper(label)", "upper(value)", "amount > 0",
          "code is not null", "lower(label)", "label is not null", "length(reason) > 3", "new.amount > 0",
          "amount > 0", "not isempty(period)", "select n.id, n.amount from public.hostile_notes n"]
HOSTILE_EXPRESSIONS = [
    "amount > 0; drop table x",
    "amount > 0 -- and the rest",
    "amount > 0 /* and the rest */",
    "amount > $$0$$",
    "amount > $function$0$function$",
    "amount > 0) or (true",
    "'it''s' = 'x'; drop table x; --",
    "amount > 0; select 1",
]


def expression_places() -> list[tuple[int, int, str]]:
    """(line, column, code) of each `{e}` of EXPRESSION_PLACES."""
    places = []
    for number, line in enumerate(EXPRESSION_PLACES.splitlines(), start=1):
        if "{e}" in line:
            key = line.split(":")[0].strip(" -")
            # A view query and a trigger condition have codes of their own; every other place UPOE229.
            code = {"query": "UPOE257", "when": "UPOE254"}.get(key, "UPOE229")
            places.append((number, line.index("{e}") + 1, code))
    return places


def fill(expressions: list[str]) -> str:
    first, *parts = EXPRESSION_PLACES.split("{e}")
    return first + "".join(json.dumps(e) + part for e, part in zip(expressions, parts, strict=True))


def test_every_expression_place_compiles_with_a_fitting_expression(tmp_path: Path) -> None:
    assert len(BENIGN) == len(expression_places()) == 15
    check_project(spec_with(tmp_path, {"hostile.yaml": fill(BENIGN)}))


@pytest.mark.parametrize("offset", range(len(HOSTILE_EXPRESSIONS)))
def test_expressions_that_break_out_are_reported_where_written(offset: int, tmp_path: Path) -> None:
    count = len(BENIGN)
    expressions = [HOSTILE_EXPRESSIONS[(offset + i) % len(HOSTILE_EXPRESSIONS)] for i in range(count)]
    with pytest.raises(CompileFailed) as failure:
        check_project(spec_with(tmp_path, {"hostile.yaml": fill(expressions)}))
    found = [(d.code, d.position.line, d.position.column) for d in failure.value.diagnostics if d.position]
    assert found == [(code, line, column) for line, column, code in expression_places()]
    assert len(failure.value.diagnostics) == count
    assert all(d.hint for d in failure.value.diagnostics)


# --- files at the size limit ----------------------------------------------------------

def sized_domain(size: int) -> str:
    """A valid domain of exactly `size` bytes: its description is long."""
    head = "domain: sized\ntitle: Sized\ndescription: |\n"
    tail = ("phase: 9\ntables:\n  sized_things:\n    description: Things.\n    tenancy: community\n"
            "    columns: {label: text}\n")
    line = "  The domain described at great length, ñ by ñ, line by line, until the file is full.\n"
    lines = [line] * ((size - len(head) - len(tail)) // len(line.encode()))
    rest = size - len(head) - len(tail) - len("".join(lines).encode())
    if rest:
        assert rest >= 4
        lines.append("  " + "x" * (rest - 3) + "\n")
    text = head + "".join(lines) + tail
    assert len(text.encode()) == size
    return text


@pytest.mark.parametrize("size", [MAX_SPEC_FILE_BYTES - 1, MAX_SPEC_FILE_BYTES])
def test_a_file_just_under_or_at_the_size_limit_compiles(size: int, tmp_path: Path) -> None:
    spec_dir = spec_with(tmp_path, {"sized.yaml": sized_domain(size)})
    result = compile_project(spec_dir, tmp_path / "build")
    assert any(name.endswith("_sized.sql") for name in result.files)


def test_a_file_just_over_the_size_limit_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_dir = spec_with(tmp_path, {"sized.yaml": sized_domain(MAX_SPEC_FILE_BYTES + 1)})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compile", "--spec", str(spec_dir), "--out", str(tmp_path / "build")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(r"sized\.yaml:1:1: error\[UPOE103\]: spec file is 2000001 bytes, over the limit", result.output)
    assert "1 error(s); nothing was written" in result.output
    assert not (tmp_path / "build").exists()


# --- line endings, byte order mark, aliases -------------------------------------------

@pytest.fixture(scope="module")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("bundled")
    return compile_project(spec_with(tmp_path, {}), None).files


def test_crlf_and_a_byte_order_mark_compile_like_the_plain_spec(tmp_path: Path,
                                                                bundled_build: dict[str, str]) -> None:
    spec_dir = spec_with(tmp_path, {})
    for path in sorted(spec_dir.glob("*.yaml")):
        data = path.read_bytes().replace(b"\n", b"\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + data if path.name == "foundation.yaml" else data)
    assert compile_project(spec_dir, None).files == bundled_build


def test_anchors_and_aliases_compile_like_the_written_out_values(tmp_path: Path) -> None:
    written_out = """\
domain: aliased
title: Aliased
description: Two tables sharing their columns and rules.
phase: 9
tables:
  first_things:
    description: Things.
    tenancy: community
    columns:
      label: {type: text, required: true}
      weight: "numeric(10,2)"
    access:
      select: [member]
      update: [admin, manager]
  second_things:
    description: Things.
    tenancy: community
    columns:
      label: {type: text, required: true}
      weight: "numeric(10,2)"
    access:
      select: [member]
      update: [admin, manager]
"""
    aliased = """\
domain: aliased
title: Aliased
description: Two tables sharing their columns and rules.
phase: 9
tables:
  first_things:
    description: &description Things.
    tenancy: community
    columns: &columns
      label: {type: text, required: true}
      weight: "numeric(10,2)"
    access: &access
      select: [member]
      update: [admin, manager]
  second_things:
    description: *description
    tenancy: community
    columns: *columns
    access: *access
"""
    plain = compile_project(spec_with(tmp_path / "plain", {"aliased.yaml": written_out}), None).files
    assert compile_project(spec_with(tmp_path / "aliased", {"aliased.yaml": aliased}), None).files == plain


# --- names of exactly 63 bytes --------------------------------------------------------

def test_names_of_exactly_63_bytes_compile_and_stay_whole(tmp_path: Path) -> None:
    column, enum, function, argument, role = ("c" * 63, "e" * 63, "f" * 63, "p" * 63, "r" * 63)
    label = "état_" + "x" * 57  # an enum label of 63 bytes, one letter of two
    reference = "o" * 60 + "_id"
    assert {len(n.encode()) for n in (column, enum, function, argument, role, label, reference)} == {63}
    text = f"""\
domain: long_names
title: Long names
description: Names of exactly 63 bytes.
phase: 9
roles:
  {role}: A role with a long name.
enums:
  {enum}:
    description: An enum with a long name.
    values: [{label}, short]
functions:
  {function}:
    description: A function with a long name.
    args:
      - {{name: {argument}, type: integer}}
    returns: integer
    language: sql
    body: select {argument}
tables:
  long_names:
    description: A table with columns of long names.
    tenancy: community
    columns:
      {column}: {{type: {enum}, required: true, default: {label}}}
      {reference}: {{type: uuid, references: long_names}}
      kept: {{type: text, unique: true, check: "kept <> ''"}}
    access:
      select: [member]
      update: [{role}]
"""
    result = compile_project(spec_with(tmp_path, {"long_names.yaml": text}), None)
    migration = next(text for name, text in result.files.items() if name.endswith("_long_names.sql"))
    scanned = scan_sql(migration)
    for name in (column, enum, function, argument, reference):
        assert re.search(rf"\b{name}\b", scanned.code), name
    assert label in scanned.literals and role in scanned.literals
    # No name in the generated code is longer than PostgreSQL keeps.
    assert max(len(word.encode()) for word in re.findall(r"[a-z_][a-z0-9_]*", scanned.code)) <= 63

