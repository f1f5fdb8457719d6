"""`upoe`: thin typer commands over the API. Exit 0 ok, 1 spec errors, 2 usage errors (a bad option,
a missing folder), 3 `plan` found an unacknowledged widening, 4 internal error.

The pipeline (pydantic models, Jinja, networkx and the rest) is imported inside the commands
that run it, so `upoe --help`, `--version` and mistyped options do not wait for those imports.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import CompileFailed, Diagnostic

app = typer.Typer(
    help="Compile UPOE YAML entity specs into Supabase migrations, RLS policies and docs.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain help as click prints it: flags without a `<bool>` placeholder, values with their metavar.
    rich_markup_mode=None,
    # Locals can hold database URLs; never print them.
    pretty_exceptions_show_locals=False,
)


# A command's summary line and the warnings it found (errors end it with CompileFailed instead).
Outcome = tuple[str, list[Diagnostic]]

# Distinct from click's usage errors (2) and plan's widening (3), so scripts can tell a bug apart.
INTERNAL_ERROR = 4


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    # GitHub workflow commands: each diagnostic an annotation on the pull request.
    github = "github"
    # SARIF 2.1.0 on stdout, for code scanning and editors.
    sarif = "sarif"


def _spec_folder(value: Path) -> Path:
    """A usage error (exit 2, like a bad option), not a spec error, when the folder is not there."""
    if not value.is_dir():
        raise typer.BadParameter(f"folder not found: {value}", param_hint="'--spec'")
    return value


SpecOption = Annotated[
    Path, typer.Option("--spec", help="Folder of domain spec files (*.yaml).", file_okay=False,
                       callback=_spec_folder, metavar="DIR"),
]
# `lint --rules` needs no spec: its folder is checked only when the rules run on one.
LintSpecOption = Annotated[Path, typer.Option("--spec", help="Folder of domain spec files (*.yaml).",
                                              file_okay=False, metavar="DIR")]
FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", help="How to print diagnostics: text, json, github (workflow commands) or sarif (SARIF 2.1.0).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"upoe-compiler {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """UPOE schema compiler."""


@app.command("compile")
def compile_command(
    spec: SpecOption = Path("spec"),
    out: Annotated[Path, typer.Option("--out", help="Output folder, replaced as a whole.",
                                      metavar="DIR")] = Path("build"),
    output_format: FormatOption = OutputFormat.text,
    tests_dir: Annotated[Path | None, typer.Option(
        "--tests", help="Folder of Python tests tagged @pytest.mark.requirement(...), read (never run) for the "
                        "docs' traceability.", file_okay=False, exists=True, metavar="DIR")] = None,
) -> None:
    """Validate the spec and write migrations and the manifest to the output folder."""

    def run() -> Outcome:
        from .api import compile_project

        result = compile_project(spec, out, tests_dir=tests_dir)
        migrations = sum(1 for name in result.files if name.startswith("supabase/migrations/"))
        tests = sum(1 for name in result.files if name.startswith("supabase/tests/"))
        return (f"compiled {len(result.model.domains)} domain(s) into {migrations} migration(s) "
                f"and {tests} pgTAP test file(s) in {out}; docs: {out / 'docs' / 'index.html'}"), result.diagnostics

    _run(run, output_format)


@app.command("check")
def check_command(spec: SpecOption = Path("spec"), output_format: FormatOption = OutputFormat.text) -> None:
    """Validate the spec only; writes nothing."""

    def run() -> Outcome:
        from .api import check_project

        result = check_project(spec)
        tables = sum(1 for o in result.model.objects if type(o).__name__ == "Table")
        return f"spec OK: {len(result.model.domains)} domain(s), {tables} table(s)", result.diagnostics

    _run(run, output_format)


@app.command("release")
def release_command(
    name: Annotated[str, typer.Argument(help="What the release brings, snake_case (initial, add_parking).")],
    spec: SpecOption = Path("spec"),
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Freeze what is pending into <spec>/migrations/ (commit it with the spec); released files
    are never rewritten, and compile/check fail when one was edited or deleted."""

    def run() -> str:
        from .api import release_project

        written = release_project(spec, name)
        if not written:
            return "nothing pending: the spec is what the last release froze"
        return "released " + ", ".join(str(path) for path in written)

    _run(run, output_format)


@app.command("plan")
def plan_command(spec: SpecOption = Path("spec"), output_format: FormatOption = OutputFormat.text) -> None:
    """What the next release would do: the pending SQL and who gains or loses access. Exits 3
    when a role gains access, so CI can ask for a reviewer; writes nothing."""
    from .api import plan_project
    from .errors import CompileFailed

    try:
        result = plan_project(spec)
    except CompileFailed as failed:
        _print_diagnostics(failed.diagnostics, output_format)
        raise typer.Exit(1) from failed
    if output_format is OutputFormat.sarif:
        from .report_formats import sarif_text

        typer.echo(sarif_text([]))
    elif output_format == OutputFormat.json:
        typer.echo(json.dumps({"released": result.released, "migrations": list(result.migrations),
                               "flags": list(result.flags), "widened": result.widened,
                               "access": [vars(change) for change in result.access],
                               "stale_acknowledgements": result.stale}, indent=2))
    elif not result.released:
        typer.echo("nothing released yet: upoe release initial freezes the baseline")
    elif not result.migrations:
        typer.echo("no changes: the spec is what the last release froze")
    else:
        typer.echo("access:" if result.access else "access: unchanged")
        for change in result.access:
            typer.echo(f"  {change}")
        typer.echo("flags:" if result.flags else "flags: none")
        for flag in result.flags:
            typer.echo(f"  {flag}")
        for sql in result.migrations:
            typer.echo("\n" + sql, nl=False)
    if result.stale and output_format in (OutputFormat.text, OutputFormat.github):
        typer.echo("left from the last release (they no longer count; remove them):")
        for text in result.stale:
            typer.echo(f"  {text}")
    if result.widened:
        raise typer.Exit(3)


@app.command("lint")
def lint_command(spec: LintSpecOption = Path("spec"), output_format: FormatOption = OutputFormat.text,
                 rules: Annotated[bool, typer.Option("--rules", help="List the lint rules and exit.")] = False,
                 ) -> None:
    """Prove the generated SQL safe on Supabase (also run by compile and check); writes nothing."""
    from .lint import rule_docs

    if rules:
        docs = rule_docs()
        if output_format is OutputFormat.sarif:
            from .report_formats import sarif_text

            typer.echo(sarif_text([]))  # its driver lists every rule
            return
        if output_format == OutputFormat.json:
            typer.echo(json.dumps([{"code": code, "description": doc} for code, doc in docs], indent=2))
            return
        for code, doc in docs:
            # The whole description: the first line says what fires, the rest why and how to mend it.
            first, *rest = doc.splitlines()
            typer.echo("\n".join([f"{code}  {first}", *(f"         {line}" if line else "" for line in rest), ""]))
        return

    _spec_folder(spec)

    def run() -> Outcome:
        from .api import check_project

        warnings = check_project(spec).diagnostics
        return f"lint OK: {len(rule_docs())} rules, no errors", warnings

    _run(run, output_format)


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"
    # The README's table of codes (no CODE), or one explanation with its example in YAML blocks.
    markdown = "markdown"


@app.command("explain")
def explain_command(
    code: Annotated[str | None, typer.Argument(help="A diagnostic code (UPOE201, or 201); none lists them all.",
                                               metavar="CODE", show_default=False)] = None,
    output_format: Annotated[ExplainFormat, typer.Option(
        "--format", help="text, json or markdown (without CODE: the README's table of codes).")] = ExplainFormat.text,
) -> None:
    """What a diagnostic code means, why it matters, and a spec written wrong and mended."""
    from .explanations import explain, explanations, markdown, markdown_table, text

    if code is None:
        known = explanations()
        if output_format is ExplainFormat.json:
            typer.echo(json.dumps([e.to_dict() for e in known.values()], indent=2))
        elif output_format is ExplainFormat.markdown:
            typer.echo(markdown_table(known), nl=False)
        else:
            for explanation in known.values():
                mark = "  (warning)" if explanation.severity == "warning" else ""
                typer.echo(f"{explanation.code}  {explanation.stage:<12}  {explanation.title}{mark}")
        return
    try:
        explanation = explain(code)
    except KeyError as unknown:
        close = unknown.args[0]
        hint = f"; did you mean {' or '.join(close)}?" if close else "; `upoe explain` lists them all"
        raise typer.BadParameter(f"no diagnostic code {code!r}{hint}", param_hint="'CODE'") from None
    if output_format is ExplainFormat.json:
        typer.echo(json.dumps(explanation.to_dict(), indent=2))
    elif output_format is ExplainFormat.markdown:
        typer.echo(markdown(explanation), nl=False)
    else:
        typer.echo(text(explanation), nl=False)


@app.command("schema")
def schema_command(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    manifest: Annotated[bool, typer.Option(
        "--manifest", help="The JSON Schema of build/manifest.json instead (schemas/upoe-manifest.schema.json).",
    )] = False,
) -> None:
    """Print the JSON Schema of a spec file, for editors (yaml-language-server and others), or of the manifest."""
    if manifest:
        from .manifest import manifest_json_schema

        text = manifest_json_schema()
    else:
        from .spec import spec_json_schema

        text = spec_json_schema()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _run(action: Callable[[], str | Outcome], output_format: OutputFormat) -> None:
    """Run a command's action; on success print its warnings (to stderr, or in the JSON) and its summary."""
    try:
        outcome = action()
    except CompileFailed as failure:
        _print_diagnostics(failure.diagnostics, output_format)
        raise typer.Exit(1) from None
    except Exception:
        traceback.print_exc(file=sys.stderr)
        typer.echo("internal error: this is a bug in upoe-compiler; please report it with the spec", err=True)
        raise typer.Exit(INTERNAL_ERROR) from None
    summary, warnings = outcome if isinstance(outcome, tuple) else (outcome, [])
    if output_format is OutputFormat.json:
        typer.echo(json.dumps({"ok": True, "summary": summary, "diagnostics": [w.to_dict() for w in warnings]}))
        return
    if output_format in (OutputFormat.github, OutputFormat.sarif):
        _print_for_tools(warnings, output_format)
        # Beside SARIF's JSON on stdout, the summary is for the person reading the log.
        typer.echo(summary, err=output_format is OutputFormat.sarif)
        return
    for warning in warnings:
        typer.echo(warning.render(), err=True)
    typer.echo(summary + (f" ({len(warnings)} warning(s))" if warnings else ""))


def _print_diagnostics(diagnostics: list[Diagnostic], output_format: OutputFormat) -> None:
    if output_format is OutputFormat.json:
        typer.echo(json.dumps({"ok": False, "diagnostics": [d.to_dict() for d in diagnostics]}, indent=2))
        return
    if output_format in (OutputFormat.github, OutputFormat.sarif):
        _print_for_tools(diagnostics, output_format)
        return
    for diagnostic in diagnostics:
        typer.echo(diagnostic.render(), err=True)
    errors = sum(1 for diagnostic in diagnostics if diagnostic.severity == "error")
    warnings = len(diagnostics) - errors
    typer.echo(f"{errors} error(s)" + (f" and {warnings} warning(s)" if warnings else "") + "; nothing was written",
               err=True)


def _print_for_tools(diagnostics: list[Diagnostic], output_format: OutputFormat) -> None:
    """GitHub workflow commands, one a line, or one SARIF log (with no results when all is well), on stdout."""
    from .report_formats import github_command, sarif_text

    if output_format is OutputFormat.sarif:
        typer.echo(sarif_text(diagnostics))
        return
    for diagnostic in diagnostics:
        typer.echo(github_command(diagnostic))
