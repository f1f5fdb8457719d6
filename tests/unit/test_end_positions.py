"""Where a diagnostic's span ends: the end of the YAML node it points at (the column past its
last character), carried into JSON and underlined in text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from upoe_compiler.cli import app
from upoe_compiler.errors import Diagnostic, DiagnosticSink, SourcePosition
from upoe_compiler.loader import load_text

TEXT = """\
a:
  b: hello   # a comment
  c: {x: 1, y: [1, 2]}
  d: |
    multi
    line

  e:
    - one
    - two
  # a comment after the mapping
f: 'quoted'
g: |
  last"""


def spans(text: str) -> dict[tuple[str | int, ...], tuple[int, int, tuple[int, int]]]:
    sink = DiagnosticSink()
    loaded = load_text(text, "x.yaml", Path("x.yaml"), sink)
    assert loaded is not None and not sink.diagnostics
    return {path: (p.line, p.column, p.end) for path, p in loaded.value_positions.items()}


def test_scalars_and_flow_collections_end_past_their_last_character() -> None:
    found = spans(TEXT)
    assert found[("a", "b")] == (2, 6, (2, 11))  # hello, not the comment after it
    assert found[("a", "c")] == (3, 6, (3, 23))  # {…} with its closing brace
    assert found[("a", "c", "y", 1)] == (3, 20, (3, 21))
    assert found[("f",)] == (12, 4, (12, 12))  # 'quoted' with its quotes


def test_block_collections_and_block_scalars_end_on_their_last_text() -> None:
    found = spans(TEXT)
    # Not at the next key, past blank lines and comments.
    assert found[("a", "d")] == (4, 6, (6, 9))
    assert found[("a", "e")] == (9, 5, (10, 10))
    assert found[("a",)] == (2, 3, (10, 10))
    # A block scalar at the end of a file without a final line break.
    assert found[("g",)] == (13, 4, (14, 7))


def test_keys_end_after_their_name() -> None:
    sink = DiagnosticSink()
    loaded = load_text(TEXT, "x.yaml", Path("x.yaml"), sink)
    assert loaded is not None
    key = loaded.key_positions[("a", "c")]
    assert (key.line, key.column, key.end) == (3, 3, (3, 4))


def test_an_alias_inside_its_own_anchor_does_not_loop() -> None:
    sink = DiagnosticSink()
    assert load_text("a: &x\n  - *x\n", "x.yaml", Path("x.yaml"), sink) is None
    assert [d.code for d in sink.diagnostics] == ["UPOE101"]


def test_text_underlines_the_span_on_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(TEXT, encoding="utf-8")
    one_line = Diagnostic("UPOE203", "m", SourcePosition(str(path), 3, 6, 3, 23), "h").render().splitlines()
    assert one_line[2] == " " * one_line[1].index("{x") + "^" * len("{x: 1, y: [1, 2]}")
    # A span going on past its first line is underlined to that line's end.
    several = Diagnostic("UPOE203", "m", SourcePosition(str(path), 2, 3, 10, 10), "h").render().splitlines()
    assert several[2] == " " * several[1].index("b: hello") + "^" * len("b: hello   # a comment")


def test_a_misspelt_key_is_spanned_in_json(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "shop.yaml").write_text("domain: shop\ntitel: Shop\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--spec", str(spec), "--format", "json"])
    assert result.exit_code == 1
    unknown = next(d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "UPOE201")
    assert (unknown["line"], unknown["column"], unknown["end_line"], unknown["end_column"]) == (2, 1, 2, 6)


def test_an_sql_fragment_error_spans_the_token_postgresql_names(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "shop.yaml").write_text(
        "domain: shop\ntitle: Shop\ndescription: Sells things.\nphase: 2\ntables:\n  orders:\n"
        "    description: Orders.\n    tenancy: global\n    columns:\n      total: integer\n    checks:\n"
        '      positive: {expression: "total > 0 and and total < 9"}\n'
        '      second: {expression: "total > 0 and totl < 9"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--spec", str(spec), "--format", "json"])
    assert result.exit_code == 1
    found = {d["code"]: d for d in json.loads(result.stdout)["diagnostics"]}
    syntax, column = found["UPOE229"], found["UPOE233"]
    # The second `and`, and the misspelt column: from their first character to the one past their last.
    assert (syntax["line"], syntax["column"], syntax["end_line"], syntax["end_column"]) == (12, 45, 12, 48)
    assert (column["line"], column["column"], column["end_line"], column["end_column"]) == (13, 43, 13, 47)
