"""SQL fragments written in the spec (checks, conditions, defaults, queries): whether one can be
embedded in a generated statement, reported as UPOE229 where it was written."""

from __future__ import annotations

from .errors import DiagnosticSink, SourcePosition

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


def check_fragment(text: str, position: SourcePosition, sink: DiagnosticSink) -> None:
    problem = fragment_problem(text)
    if problem:
        sink.error("UPOE229", f"SQL expression {problem}", position,
                   "write a single SQL expression; functions with statements go under `functions:`")
