"""Every diagnostic code explained: what it means, why it matters, and an example, for
`upoe explain` (as text, JSON or Markdown), the rules of `--format sarif` and the README's
table of codes.

The codes of the load, validate, graph, write and release stages are written out in
`explanation_texts`; a lint rule's explanation is its docstring (`lint.rule_docs`), with an
example there when the spec can produce the rule's finding.
"""

from __future__ import annotations

import difflib

from .explanation_texts import Explanation


def explanations() -> dict[str, Explanation]:
    """Every code upoe can report, in code order."""
    from .explanation_texts import EXPLANATIONS, LINT_EXAMPLES
    from .lint import RULES, rule_docs

    found = {e.code: e for e in EXPLANATIONS}
    for code, doc in rule_docs():
        # The docstring's first paragraph says what fires, then `Anti-pattern:` why and `Best practice:` the mend.
        what, *rest = (" ".join(paragraph.split()) for paragraph in doc.split("\n\n"))
        why = next((p.removeprefix("Anti-pattern: ") for p in rest if p.startswith("Anti-pattern:")), "")
        why, _, fix = why.partition(" Best practice: ")
        found[code] = Explanation(code, what, what, _sentence(why), LINT_EXAMPLES.get(code), _sentence(fix),
                                  RULES[code].severity)
    return dict(sorted(found.items()))


def _sentence(text: str) -> str:
    """A docstring's clause as a sentence of its own: its first letter capitalised."""
    return text[:1].upper() + text[1:]


def explain(code: str) -> Explanation:
    """The explanation of `code` (any case); KeyError with the closest codes when there is none."""
    known = explanations()
    normalised = code.strip().upper()
    if normalised.isdigit():
        normalised = f"UPOE{normalised}"
    if normalised in known:
        return known[normalised]
    # O for 0 and I or L for 1 are the usual slips in a code copied by hand.
    digits = normalised.removeprefix("UPOE").translate(str.maketrans("OIL", "011"))
    if f"UPOE{digits}" in known:
        raise KeyError([f"UPOE{digits}"])
    if digits.isdigit() and len(digits) == 3:
        # A number that is no code: the nearest codes of its stage say more than similar spellings.
        number = int(digits)
        same_stage = [c for c in known if c[4] == digits[0]]
        raise KeyError(sorted(same_stage, key=lambda c: (abs(int(c[4:]) - number), c))[:2])
    raise KeyError(difflib.get_close_matches(normalised, list(known), n=2, cutoff=0.6))


def text(explanation: Explanation) -> str:
    """The explanation as `upoe explain` prints it, its example indented."""
    parts = [f"{explanation.code}: {explanation.title} ({explanation.stage}, {explanation.severity})", ""]
    if explanation.meaning != explanation.title:
        parts += [explanation.meaning, ""]
    parts.append(f"Why it matters: {explanation.why}")
    if explanation.fix:
        parts += ["", f"How to fix it: {explanation.fix}"]
    if explanation.example is not None:
        where = {"part": "in a domain file", "file": "a whole domain file", "outside": "outside the spec files"}
        parts += ["", f"Wrong ({where[explanation.example.shape]}):", "", _indent(explanation.example.bad),
                  "Right:", "", _indent(explanation.example.fixed)]
    return "\n".join(parts).rstrip() + "\n"


def _indent(lines: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in lines.splitlines())


def markdown_table(known: dict[str, Explanation]) -> str:
    """Every code as a Markdown table (code, stage, title), as the README lists them."""
    rows = ["| code | stage | what |", "|---|---|---|"]
    for code, explanation in known.items():
        mark = " (warning)" if explanation.severity == "warning" else ""
        title = explanation.title.replace("|", "\\|")
        rows.append(f"| {code} | {explanation.stage} | {title}{mark} |")
    return "\n".join(rows) + "\n"


def markdown(explanation: Explanation) -> str:
    """One explanation in Markdown, its example as YAML blocks."""
    parts = [f"## {explanation.code}: {explanation.title}", "",
             f"Stage: {explanation.stage}; severity: {explanation.severity}.", ""]
    if explanation.meaning != explanation.title:
        parts += [explanation.meaning, ""]
    parts += [f"**Why it matters:** {explanation.why}", ""]
    if explanation.fix:
        parts += [f"**How to fix it:** {explanation.fix}", ""]
    if explanation.example is not None:
        fence = "yaml" if explanation.example.shape != "outside" else "text"
        for label, text in (("Wrong", explanation.example.bad), ("Right", explanation.example.fixed)):
            parts += [f"**{label}:**", "", f"```{fence}", text.rstrip("\n"), "```", ""]
    return "\n".join(parts)
