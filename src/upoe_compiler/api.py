"""The callable API behind the CLI: runs the pipeline, never prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .access_diff import AccessChange, access_changes
from .errors import CompileFailed, Diagnostic, DiagnosticSink
from .graph import Plan, plan
from .ir import Model, stale_acknowledgements
from .lint import lint
from .loader import load_spec_dir
from .manifest import render_manifest
from .releases import (
    MIGRATIONS_DIR as RELEASES_DIR,
)
from .releases import (
    MODEL_SUFFIX,
    RELEASE_NAME,
    Release,
    Released,
    creating_files,
    following,
    new_version,
    read_released,
    write_release,
)
from .render import make_environment, render_migrations
from .render.diff import Pending, pending_migration
from .render.docs import render_docs
from .render.environment import DEFAULT_TEMPLATES_DIR
from .render.pgtap import render_tests
from .render.sql import MIGRATIONS_DIR
from .requirement_tags import RequirementTag, check_tags, read_tags
from .resolve import resolve
from .validate import validate
from .writer import ownership_problem, write_tree


@dataclass
class CompileResult:
    model: Model
    plan: Plan
    files: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def analyse(spec_dir: Path, run_lint: bool = True) -> tuple[Model, Plan, list[Diagnostic]]:
    """Load, validate, resolve, order and lint the spec; raise CompileFailed on any error."""
    sink = DiagnosticSink()
    loaded = load_spec_dir(spec_dir, sink)
    validated = validate(loaded, sink)
    sink.raise_if_failed()
    model = resolve(validated, sink)
    sink.raise_if_failed()
    ordered = plan(model, sink)
    sink.raise_if_failed()
    if run_lint:
        sink.extend(lint(model))
        sink.raise_if_failed()
    return model, ordered, sink.diagnostics


def render(model: Model, ordered: Plan, templates_dir: Path = DEFAULT_TEMPLATES_DIR,
           tags: Sequence[RequirementTag] = (), docs_dir: Path | None = None,
           created_in: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every file of the build; `tags` (hand-written tests) join the docs' traceability, linked
    from `docs_dir`, where the docs will be written; `created_in` names the migration file creating
    each object when releases replace the per-domain files."""
    environment = make_environment(templates_dir)
    files = render_migrations(ordered, environment)
    tests = render_tests(model, ordered, environment)
    files.update(tests)
    files.update(render_docs(model, ordered, environment, tests, tags, docs_dir, created_in))
    files["manifest.json"] = render_manifest(ordered)
    return files


def released_state(spec_dir: Path, ordered: Plan,
                   templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> tuple[Released, Pending]:
    """The spec's releases, checked (no released file edited, deleted or added by hand), and the
    migrations from the last release to the spec as it is now (none when nothing is pending or
    nothing was released)."""
    released, problems = read_released(spec_dir)
    if problems:
        raise CompileFailed(problems)
    if released.model is None:
        return released, Pending()
    pending, problems = pending_migration(released.model, ordered, make_environment(templates_dir))
    if problems:
        raise CompileFailed(problems)
    return released, pending


def check_project(spec_dir: Path) -> CompileResult:
    model, ordered, diagnostics = analyse(spec_dir)
    released_state(spec_dir, ordered)
    return CompileResult(model, ordered, diagnostics=diagnostics)


@dataclass
class PlanResult:
    """What the next release would do: its migrations (none when nothing is pending) and who
    gains or loses access; `released` is False before the first release."""

    released: bool
    migrations: tuple[str, ...]
    flags: tuple[str, ...]
    access: list[AccessChange]
    # Acknowledgements the last release already carried: they no longer count.
    stale: list[str] = field(default_factory=list)

    @property
    def widened(self) -> bool:
        """Whether a role gains access the spec does not acknowledge."""
        return any(change.verdict != "NARROWED" and not change.acknowledged for change in self.access)


def plan_project(spec_dir: Path) -> PlanResult:
    _, ordered, _ = analyse(spec_dir)
    released, pending = released_state(spec_dir, ordered)
    if released.model is None:
        return PlanResult(False, (), (), [])
    return PlanResult(True, pending.migrations, pending.flags, access_changes(released.model, ordered.model),
                      stale_acknowledgements(released.model, ordered.model))


def release_project(spec_dir: Path, name: str, now: datetime | None = None) -> list[Path]:
    """Freeze what is pending as the next release in `<spec>/migrations/`; returns the files
    written, none when nothing is pending."""
    if not RELEASE_NAME.match(name):
        raise CompileFailed([Diagnostic("UPOE415", f"release name {name!r} is not snake_case",
                                        hint="name what the release brings: add_parking, initial")])
    _, ordered, _ = analyse(spec_dir)
    released, pending = released_state(spec_dir, ordered)
    version = new_version(released, now)
    if not released.releases:
        baseline = render_migrations(ordered, make_environment(DEFAULT_TEMPLATES_DIR))
        files = [Release(path.rsplit("/", 1)[1], sql) for path, sql in sorted(baseline.items())]
    elif not pending.migrations:
        return []
    else:
        names = [f"{version}_{name}.sql", f"{following(version, 1)}_{name}_validate.sql"]
        files = [Release(file_name, sql) for file_name, sql in zip(names, pending.migrations, strict=False)]
    return write_release(spec_dir, released, files, f"{version}_{name}{MODEL_SUFFIX}", ordered)


def compile_project(spec_dir: Path, out_dir: Path | None, templates_dir: Path = DEFAULT_TEMPLATES_DIR,
                    tests_dir: Path | None = None) -> CompileResult:
    """Compile the spec; write `out_dir` (all of it or nothing) unless it is None. The tests under
    `tests_dir` tagged with requirements join the docs' traceability (an unknown ID is a warning)."""
    if out_dir is not None:
        problem = ownership_problem(out_dir)
        if problem is not None:
            raise CompileFailed([problem])
    model, ordered, diagnostics = analyse(spec_dir)
    released, pending = released_state(spec_dir, ordered, templates_dir)
    tags: list[RequirementTag] = []
    if tests_dir is not None:
        sink = DiagnosticSink()
        tags = read_tags(tests_dir, sink)
        check_tags(tags, (r for domain in model.domains for r, _ in domain.requirements), sink)
        diagnostics = [*diagnostics, *sink.diagnostics]
    created_in: dict[str, str] | None = None
    if released.releases:
        version = released.next_version()
        pending_names = [f"{version}_pending.sql", f"{following(version, 1)}_pending_validate.sql"]
        # The docs link each object to the file that creates it in this build.
        released_in = creating_files(spec_dir / RELEASES_DIR, released)
        created_in = {obj.key: released_in.get(obj.key, pending_names[0]) for obj in model.objects}
    files = render(model, ordered, templates_dir, tags, out_dir / "docs" if out_dir is not None else None,
                   created_in)
    if released.releases:
        # Databases ran the released files: the build carries them byte for byte, then what
        # the next release would freeze.
        files = {name: text for name, text in files.items() if not name.startswith(f"{MIGRATIONS_DIR}/")}
        files.update({f"{MIGRATIONS_DIR}/{r.file_name}": r.sql for r in released.releases})
        files.update({f"{MIGRATIONS_DIR}/{name}": sql
                      for name, sql in zip(pending_names, pending.migrations, strict=False)})
    if out_dir is not None:
        try:
            write_tree(out_dir, files)
        except OSError as error:
            raise CompileFailed([Diagnostic(
                "UPOE403", f"cannot write {out_dir}: {error.strerror or error}",
                hint="check that the folder and its parent are writable and the disk has room")]) from error
    return CompileResult(model, ordered, files, diagnostics)
