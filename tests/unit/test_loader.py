"""The loader: YAML 1.2 core schema, positions of every key and value, and loading errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from upoe_compiler.errors import Diagnostic, DiagnosticSink, SourcePosition
from upoe_compiler.loader import MAX_SPEC_FILE_BYTES, LoadedFile, load_file, load_spec_dir, load_text


def load(text: str) -> tuple[LoadedFile | None, list[Diagnostic]]:
    sink = DiagnosticSink()
    loaded = load_text(text, "t.yaml", Path("t.yaml"), sink)
    return loaded, sink.diagnostics


def data_of(text: str) -> Any:
    loaded, diagnostics = load(text)
    assert diagnostics == []
    assert loaded is not None
    return loaded.data


def only_error(text: str) -> Diagnostic:
    loaded, diagnostics = load(text)
    assert loaded is None
    assert len(diagnostics) == 1, diagnostics
    return diagnostics[0]


def at(line: int, column: int) -> SourcePosition:
    return SourcePosition("t.yaml", line, column)


# -- positions -------------------------------------------------------------------------

NESTED = """\
# a comment line counts
domain: core
tables:
  things:
    description: >
      Folded text.
    columns:
      - a
      - {b: 1, c: [x, y]}
"""


def test_positions_of_keys_and_values() -> None:
    loaded, diagnostics = load(NESTED)
    assert diagnostics == []
    assert loaded is not None
    keys, values = loaded.key_positions, loaded.value_positions
    assert keys[("domain",)] == at(2, 1)
    assert values[("domain",)] == at(2, 9)
    assert keys[("tables",)] == at(3, 1)
    assert keys[("tables", "things")] == at(4, 3)
    assert values[("tables", "things")] == at(5, 5)  # a block mapping starts at its first key
    assert values[("tables", "things", "description")] == at(5, 18)  # the `>` of the folded scalar
    assert values[("tables", "things", "columns", 0)] == at(8, 9)
    assert values[("tables", "things", "columns", 1)] == at(9, 9)  # the `{`
    assert keys[("tables", "things", "columns", 1, "b")] == at(9, 10)
    assert values[("tables", "things", "columns", 1, "b")] == at(9, 13)
    assert keys[("tables", "things", "columns", 1, "c")] == at(9, 16)
    assert values[("tables", "things", "columns", 1, "c", 1)] == at(9, 23)
    # List items have no key.
    assert ("tables", "things", "columns", 0) not in keys


def test_columns_count_characters_not_bytes() -> None:
    loaded, _ = load("título: ñandú\n")
    assert loaded is not None
    assert loaded.data == {"título": "ñandú"}
    assert loaded.value_positions[("título",)] == at(1, 9)


def test_position_of_a_missing_node_is_its_closest_parent() -> None:
    loaded, _ = load(NESTED)
    assert loaded is not None
    assert loaded.position(("tables", "things", "tenancy")) == at(4, 3)
    assert loaded.position(("nothing", "here")) == at(2, 1)  # the root mapping
    assert loaded.value_position(("tables", "things", "tenancy")) == at(4, 3)


def test_value_position_inside_a_shorthand_is_the_written_value() -> None:
    loaded, _ = load("columns:\n  a: text\n  b:\n  c: {type: uuid}\nunique:\n  - [a, b]\n")
    assert loaded is not None
    # `a: text` stands for `a: {type: text}`.
    assert loaded.value_position(("columns", "a", "type")) == at(2, 6)
    assert loaded.value_position(("columns", "c", "type")) == at(4, 13)
    # `- [a, b]` stands for `- {columns: [a, b]}`.
    assert loaded.value_position(("unique", 0, "columns", 1)) == at(6, 9)
    assert loaded.value_position(("unique", 0, "columns")) == at(6, 5)
    # Nothing written after `b:`: the key is the place to point at.
    assert loaded.value_position(("columns", "b", "type")) == at(3, 3)


# -- the YAML 1.2 core schema ------------------------------------------------------------

@pytest.mark.parametrize("word", ["no", "yes", "on", "off", "y", "n", "Yes", "NO", "On"])
def test_yaml_11_booleans_are_text(word: str) -> None:
    assert data_of(f"value: {word}\n") == {"value": word}


@pytest.mark.parametrize("text", ["2024-01-01", "2024-01-01T10:00:00Z", "12:30", "1_000", "0b101", "+.5e"])
def test_dates_and_other_11_forms_are_text(text: str) -> None:
    assert data_of(f"value: {text}\n") == {"value": text}


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("false", False), ("True", True), ("FALSE", False),
])
def test_true_and_false_are_booleans(text: str, expected: bool) -> None:
    value = data_of(f"value: {text}\n")["value"]
    assert value is expected


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", ""])
def test_null_forms_are_none(text: str) -> None:
    assert data_of(f"value: {text}\n") == {"value": None}


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("42", 42), ("-7", -7), ("+5", 5), ("007", 7), ("0x1F", 31), ("0o17", 15),
])
def test_integers(text: str, expected: int) -> None:
    value = data_of(f"value: {text}\n")["value"]
    assert type(value) is int
    assert value == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1.5", 1.5), ("-0.25", -0.25), (".5", 0.5), ("1e3", 1000.0), ("2.5E-1", 0.25),
    (".inf", math.inf), ("-.inf", -math.inf), ("+.inf", math.inf),
])
def test_floats(text: str, expected: float) -> None:
    value = data_of(f"value: {text}\n")["value"]
    assert type(value) is float
    assert value == expected


def test_nan() -> None:
    value = data_of("value: .NaN\n")["value"]
    assert isinstance(value, float)
    assert math.isnan(value)


def test_quoted_scalars_stay_text() -> None:
    assert data_of("a: 'true'\nb: \"1\"\nc: '~'\n") == {"a": "true", "b": "1", "c": "~"}


def test_mapping_keys_are_always_text() -> None:
    assert data_of("1: a\ntrue: b\nnull: c\n1.5: d\nno: e\n") == {
        "1": "a", "true": "b", "null": "c", "1.5": "d", "no": "e",
    }


def test_explicit_tags_on_other_text_keep_the_text() -> None:
    assert data_of("a: !!bool yes\nb: !!null nothing\nc: !!int twelve\nd: !!int '12'\ne: !!str 5\n") == {
        "a": "yes", "b": "nothing", "c": "twelve", "d": 12, "e": "5",
    }


def test_python_tags_are_plain_data_and_run_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = (
        f"a: !!python/object/apply:os.system ['touch {marker}']\n"
        f"b: !!python/object:os.system {{cmd: 'touch {marker}'}}\n"
        "c: !!python/name:os.system\n"
        f"d: !!python/object/new:subprocess.call [['touch', '{marker}']]\n"
    )
    assert data_of(text) == {
        "a": [f"touch {marker}"],
        "b": {"cmd": f"touch {marker}"},
        "c": "",
        "d": [["touch", str(marker)]],
    }
    assert not marker.exists()


# -- errors ----------------------------------------------------------------------------

def test_duplicate_key_is_reported_at_the_second_with_the_first_position() -> None:
    loaded, diagnostics = load("tables:\n  things:\n    a: 1\n    b: 2\n    a: 3\n")
    assert [d.check_tuple() for d in diagnostics] == [("UPOE102", "t.yaml", 5, 5)]
    assert diagnostics[0].message == "duplicate key 'a' (first defined at line 3, column 5)"
    assert diagnostics[0].hint
    # The first value is kept; the rest of the file still loads.
    assert loaded is not None
    assert loaded.data == {"tables": {"things": {"a": 1, "b": 2}}}


def test_duplicate_key_in_a_flow_mapping() -> None:
    _, diagnostics = load("x: {a: 1, b: 2, a: 3}\n")
    assert [d.check_tuple() for d in diagnostics] == [("UPOE102", "t.yaml", 1, 17)]
    assert "(first defined at line 1, column 5)" in diagnostics[0].message


@pytest.mark.parametrize(("text", "line", "column"), [
    ("a:\n\tb: 1\n", 2, 1),
    ("a:\n  b: 1\n\tc: 2\n", 3, 1),
    ("a:\n  - x\n\t- y\n", 3, 1),
    ("a:\n  b:\n  \tc: 1\n", 3, 3),
])
def test_tabs_give_upoe101_with_a_hint_about_tabs(text: str, line: int, column: int) -> None:
    error = only_error(text)
    assert error.check_tuple() == ("UPOE101", "t.yaml", line, column)
    assert error.hint is not None
    assert "tab" in error.hint
    assert "spaces" in error.hint


def test_other_syntax_errors_do_not_blame_tabs() -> None:
    error = only_error("a: b\n  c: d\n")
    assert error.check_tuple() == ("UPOE101", "t.yaml", 2, 4)
    assert error.hint is not None
    assert "tab" not in error.hint


@pytest.mark.parametrize(("text", "line", "column", "context"), [
    ('a: 1\nb: "open\n', 2, 4, "while scanning a quoted scalar at line 2, column 4"),
    ("a: [1, 2\n", 1, 4, "while parsing a flow sequence at line 1, column 4"),
    ("a:\n  b: {c: 1\n", 2, 6, "while parsing a flow mapping at line 2, column 6"),
])
def test_a_construct_left_open_is_reported_where_it_opens(text: str, line: int, column: int, context: str) -> None:
    error = only_error(text)
    assert error.check_tuple() == ("UPOE101", "t.yaml", line, column)
    assert context in error.message


def test_a_key_that_is_not_a_scalar() -> None:
    loaded, diagnostics = load("? [a, b]\n: 1\nc: 2\n")
    assert [d.check_tuple() for d in diagnostics] == [("UPOE101", "t.yaml", 1, 3)]
    assert loaded is not None
    assert loaded.data == {"c": 2}


def test_a_second_document_is_an_error() -> None:
    error = only_error("a: 1\n---\nb: 2\n")
    assert error.code == "UPOE101"
    assert error.position is not None
    assert error.position.line == 2


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# only a comment\n", "---\n"])
def test_empty_file(text: str) -> None:
    error = only_error(text)
    assert error.check_tuple() == ("UPOE104", "t.yaml", 1, 1)
    assert error.hint


def test_an_alias_inside_its_own_anchor_is_an_error_not_a_crash() -> None:
    error = only_error("a: &x\n  b: *x\n")
    assert error.check_tuple() == ("UPOE101", "t.yaml", 2, 3)
    assert "anchored at line 1" in error.message
    error = only_error("a: &x [1, *x]\n")
    assert error.check_tuple() == ("UPOE101", "t.yaml", 1, 4)


def test_aliases_expanding_to_too_many_nodes() -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    error = only_error("\n".join(lines) + "\n")
    assert error.code == "UPOE103"
    assert "aliases" in (error.hint or "")


def test_a_few_aliases_are_fine() -> None:
    data = data_of("base: &base {type: text}\na: *base\nb: *base\n")
    assert data == {"base": {"type": "text"}, "a": {"type": "text"}, "b": {"type": "text"}}


@pytest.mark.parametrize("depth", [150, 5000])
def test_deep_nesting_is_an_error_not_a_crash(depth: int) -> None:
    error = only_error("a: " + "[" * depth + "]" * depth + "\n")
    assert error.code == "UPOE101"
    assert "nested" in error.message


def test_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("domain: big\n" + "# padding\n" * (MAX_SPEC_FILE_BYTES // 10), encoding="utf-8")
    assert path.stat().st_size > MAX_SPEC_FILE_BYTES
    sink = DiagnosticSink()
    assert load_file(path, sink) is None
    assert [d.code for d in sink.diagnostics] == ["UPOE103"]
    assert str(path.stat().st_size) in sink.diagnostics[0].message
    assert sink.diagnostics[0].hint


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "limit.yaml"
    head = "domain: big\n"
    path.write_text(head + "#" * (MAX_SPEC_FILE_BYTES - len(head) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_SPEC_FILE_BYTES
    sink = DiagnosticSink()
    loaded = load_file(path, sink)
    assert sink.diagnostics == []
    assert loaded is not None
    assert loaded.data == {"domain": "big"}


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"domain: caf\xe9\n")
    sink = DiagnosticSink()
    assert load_file(path, sink) is None
    assert [(d.code, d.position.line if d.position else None) for d in sink.diagnostics] == [("UPOE103", 1)]
    assert "UTF-8" in (sink.diagnostics[0].hint or "")


def test_a_folder_without_spec_files(tmp_path: Path) -> None:
    (tmp_path / "notes.yml").write_text("domain: x\n", encoding="utf-8")
    sink = DiagnosticSink()
    assert load_spec_dir(tmp_path, sink) == []
    # The .yml file is named, not skipped in silence; and there is still no spec file.
    assert [d.code for d in sink.diagnostics] == ["UPOE106", "UPOE105"]
    assert all(d.hint for d in sink.diagnostics)


def test_spec_files_load_in_name_order_and_bad_ones_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("domain: b\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("domain: a\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("domain: [\n", encoding="utf-8")
    sink = DiagnosticSink()
    loaded = load_spec_dir(tmp_path, sink)
    assert [f.data for f in loaded] == [{"domain": "a"}, {"domain": "b"}]
    assert [(d.code, Path(d.position.file).name if d.position else None) for d in sink.diagnostics] == [
        ("UPOE101", "c.yaml"),
    ]
