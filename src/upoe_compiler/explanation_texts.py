"""The explanation of every code outside lint (the lint rules' are their docstrings), and
examples for the lint rules a spec can trip.

Each example's `part` and `file` snippets are compiled by tests/unit/test_explain.py: the wrong
one must report its code, the right one must compile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Snippets of the `part` shape are lines of a domain file below this header; the tests compile them so.
EXAMPLE_HEADER = """\
domain: example
title: Example
description: A domain that shows one diagnostic.
phase: 2
requirements:
  EX-01: Something to trace.
"""

# The stage of a code by its first digits (the longest prefix listed).
STAGES = {"1": "load", "20": "validate", "21": "names", "22": "semantics", "23": "semantics", "24": "resolve",
          "25": "constructs", "26": "constructs", "3": "graph", "40": "write", "41": "releases",
          "42": "traceability", "5": "lint"}


@dataclass(frozen=True)
class Example:
    """A spec written wrong and the same spec mended.

    `shape` says how to read them: `part`, lines of a domain file below `EXAMPLE_HEADER`; `file`,
    a whole domain file; `outside`, what happens outside one file (a folder, a command), which
    only a reader can follow.
    """

    bad: str
    fixed: str
    shape: Literal["part", "file", "outside"] = "part"


@dataclass(frozen=True)
class Explanation:
    """`title` is one line; `meaning` what the compiler found, `why` what would go wrong with it,
    `fix` how to mend it when the example does not say it all."""

    code: str
    title: str
    meaning: str
    why: str
    example: Example | None = None
    fix: str = ""
    severity: str = "error"

    @property
    def stage(self) -> str:
        digits = self.code.removeprefix("UPOE")
        return STAGES.get(digits[:2]) or STAGES[digits[:1]]

    def to_dict(self) -> dict[str, object]:
        example = self.example
        return {
            "code": self.code, "title": self.title, "stage": self.stage, "severity": self.severity,
            "meaning": self.meaning, "why": self.why, "fix": self.fix or None,
            "example": None if example is None else {
                "shape": example.shape, "bad": example.bad, "fixed": example.fixed,
                "header": EXAMPLE_HEADER if example.shape == "part" else None},
        }


_THINGS = """\
tables:
  things:
    description: Things of a community.
    requirements: [EX-01]
    tenancy: community
    columns:
"""

_AREA = """\
      area_m2: "numeric(10,2)"
    checks:
"""

_BOOKINGS = """\
      room_id: {type: uuid, required: true}
      period: {type: tstzrange, required: true}
"""

# Residents insert only drafts of their own: the start of UPOE512's example.
_AUTHORED = """\
      author_id: {type: uuid, references: auth.users, default_sql: auth.uid()}
      status: text
    access:
      select: [member]
      insert:
        - {roles: [resident], own: author_id, where: "status = 'draft'"}
"""

_JOBS_ENUM = """\
enums:
  job_status:
    description: Where a job stands.
    values: [open, assigned, done]
tables:
  jobs:
    description: Jobs of a community.
    requirements: [EX-01]
    tenancy: community
    columns:
      status: {type: job_status, required: true, default: open}
"""

EXPLANATIONS: tuple[Explanation, ...] = (
    # -- load ------------------------------------------------------------------------------
    Explanation(
        "UPOE101", "YAML syntax error",
        "The file is not valid YAML, or uses YAML that specs do not allow: a tab in the indentation, "
        "a bracket or quote left open, a second document after `---`, a merge key (`<<`), a key that is "
        "not a plain name, an alias inside its own anchor, a NUL character, or nesting deeper than 100 levels.",
        "Nothing of the file can be read until it parses, so no other check of this domain runs.",
        Example(_THINGS + "      label: {type: text, required: true\n",
                _THINGS + "      label: {type: text, required: true}\n"),
        fix="look at the place named and just before it: an unclosed `{`, `[` or quote often fails lines later.",
    ),
    Explanation(
        "UPOE102", "duplicate key",
        "One mapping has the same key twice, e.g. a column declared twice under `columns:`.",
        "YAML would keep only the last one and silently drop the first; upoe refuses to guess which you meant.",
        Example(_THINGS + "      label: text\n      label: {type: text, required: true}\n",
                _THINGS + "      label: {type: text, required: true}\n"),
    ),
    Explanation(
        "UPOE103", "file too large, unreadable or not UTF-8",
        "A spec file is over 2 MB, cannot be read, is not UTF-8 text, or its aliases (`*name`) expand "
        "to over 500,000 YAML nodes.",
        "A spec is text people review; a file that cannot be read whole cannot be compiled safely.",
        Example("spec/crm.yaml saved as Latin-1 (an 'é' is byte 0xE9)",
                "spec/crm.yaml saved as UTF-8 (your editor's encoding setting)", "outside"),
    ),
    Explanation(
        "UPOE104", "empty file",
        "A spec file holds nothing but comments, blank lines or a bare `---`.",
        "A domain file without a domain is almost always a file saved too early or emptied by mistake.",
        Example("# parking: to be written\n",
                "domain: parking\ntitle: Parking\ndescription: Parking spaces of a community.\nphase: 2\n",
                "file"),
    ),
    Explanation(
        "UPOE105", "no spec files",
        "The spec folder holds no `*.yaml` file.",
        "Compiling nothing would write an empty build; usually `--spec` points at the wrong folder.",
        Example("upoe check --spec specs      # the folder is spec/, or holds no .yaml files",
                "upoe check --spec spec", "outside"),
    ),
    Explanation(
        "UPOE106", "a .yml file in the spec folder",
        "A file ending in `.yml` sits in the spec folder; upoe reads only `*.yaml`.",
        "Skipping it would make a whole domain vanish from the build without a word.",
        Example("spec/parking.yml", "spec/parking.yaml", "outside"),
    ),
    # -- validate: shape -------------------------------------------------------------------
    Explanation(
        "UPOE201", "unknown key",
        "A key that is not allowed at its place: usually a misspelling, or the rest of a text cut at an "
        "unquoted comma inside `{…}`. The hint names the closest allowed key and lists them all.",
        "An unknown key would otherwise be ignored, and what it was meant to say (a required column, "
        "a rule) would silently not happen.",
        Example(_THINGS + "      label: {type: text, requird: true}\n",
                _THINGS + "      label: {type: text, required: true}\n"),
    ),
    Explanation(
        "UPOE202", "missing required key",
        "A key that must be there is not: `domain`, `title`, `description`, `phase` of a file, a table's "
        "`description` or `tenancy`, a column's `type`, a validity window's `ends`, and so on.",
        "These keys decide what the database does (who sees a table, what a column holds); "
        "there is no safe default for them.",
        Example("tables:\n  things:\n    description: Things of a community.\n    requirements: [EX-01]\n"
                "    columns:\n      label: text\n",
                "tables:\n  things:\n    description: Things of a community.\n    requirements: [EX-01]\n"
                "    tenancy: community\n    columns:\n      label: text\n"),
    ),
    Explanation(
        "UPOE203", "wrong type of value",
        "A value of the wrong YAML kind: a list where a mapping belongs, text where a number or "
        "true/false belongs (`yes` is text in YAML 1.2), a file that is not a mapping.",
        "The value cannot mean what its key asks for; guessing a conversion would hide typos.",
        Example(_THINGS + "      label: {type: text, required: yes}\n",
                _THINGS + "      label: {type: text, required: true}\n"),
    ),
    Explanation(
        "UPOE204", "invalid value",
        "A value of the right kind outside the values allowed: a tenancy kind, an ON DELETE action, "
        "an index method, a requirement ID not shaped like `FOUND-01`, a number below its least value.",
        "The compiler only knows how to generate SQL for the values it lists; the hint names them.",
        Example("tables:\n  things:\n    description: Things of a community.\n    requirements: [EX-01]\n"
                "    tenancy: communty\n    columns:\n      label: text\n",
                "tables:\n  things:\n    description: Things of a community.\n    requirements: [EX-01]\n"
                "    tenancy: community\n    columns:\n      label: text\n"),
    ),
    Explanation(
        "UPOE205", "invalid combination of keys",
        "Keys that are each valid but do not go together, or a mapping missing one of several keys it "
        "needs: `default` with `default_sql`, `body` with `body_file`, a stamp with neither `at` nor `by`, "
        "a conditional requirement with neither `require` nor `check`.",
        "Two keys that say the same thing differently leave the compiler to pick one; none at all says nothing.",
        Example(_THINGS + "      label: {type: text, default: none, default_sql: \"'none'\"}\n",
                _THINGS + "      label: {type: text, default: none}\n"),
    ),
    Explanation(
        "UPOE206", "empty value",
        "A name, text or list that must hold something is empty: `''` as a name, `events: []` on a "
        "trigger, an enum without values.",
        "An empty name is no PostgreSQL identifier, and an empty list would generate an object that does nothing.",
        Example("enums:\n  colour:\n    description: Colours.\n    values: []\n",
                "enums:\n  colour:\n    description: Colours.\n    values: [red, green]\n"),
    ),
    Explanation(
        "UPOE207", "an entry under the wrong section",
        "An entry written where it does not belong but with the keys of another section: a table at the "
        "top level of the file or under `buckets:`, an enum under `tables:`, a function under `views:`.",
        "The keys around it would otherwise be reported one by one as unknown, hiding the simple mend: move it.",
        Example("things:\n  description: Things of a community.\n  requirements: [EX-01]\n"
                "  tenancy: community\n  columns:\n    label: text\n",
                _THINGS + "      label: text\n"),
    ),
    # -- validate: names -------------------------------------------------------------------
    Explanation(
        "UPOE210", "duplicate domain",
        "Two spec files declare the same `domain:` name.",
        "Each domain becomes one migration file and one docs page; two of one name would overwrite each other.",
        Example("spec/crm.yaml:     domain: crm\nspec/crm_old.yaml: domain: crm",
                "spec/crm.yaml:     domain: crm\n(crm_old.yaml removed, or renamed to its own domain)", "outside"),
    ),
    Explanation(
        "UPOE211", "name declared twice",
        "A table, enum, type, function, view or bucket of one name is declared in two places, in one "
        "file or across files. The message names the first place.",
        "All domains share the database's schemas: the second `create` would fail, or replace the first.",
        Example("enums:\n  colour:\n    description: Colours.\n    values: [red]\n"
                "types:\n  colour:\n    description: A colour code.\n    type: text\n",
                "enums:\n  colour:\n    description: Colours.\n    values: [red]\n"
                "types:\n  colour_code:\n    description: A colour code.\n    type: text\n"),
    ),
    Explanation(
        "UPOE212", "name not snake_case",
        "A name (table, column, enum, function, argument, index, view, role, release) is not lower "
        "snake_case ASCII: capitals, dashes, spaces or accents.",
        "PostgreSQL folds unquoted names to lower case; a mixed-case name would need quotes in every query, "
        "by hand and through the API.",
        Example(_THINGS + "      unitNumber: text\n", _THINGS + "      unit_number: text\n"),
    ),
    Explanation(
        "UPOE213", "name over 63 bytes",
        "A name is longer than 63 bytes (letters outside ASCII count two bytes or more), including "
        "names the compiler builds from it, such as constraint and index names.",
        "PostgreSQL truncates longer identifiers silently, so two names could end up as one.",
        Example(_THINGS + "      the_date_on_which_the_thing_was_last_inspected_by_the_community_staff: date\n",
                _THINGS + "      last_inspected_on: date\n"),
    ),
    Explanation(
        "UPOE214", "reserved word",
        "A name is a reserved word of PostgreSQL (`order`, `user`, `select`, `table`, …).",
        "It could only be used quoted, in every query and API call, which the generated SQL does not do.",
        Example(_THINGS + "      order: integer\n", _THINGS + "      position: integer\n"),
    ),
    # -- validate: semantics ---------------------------------------------------------------
    Explanation(
        "UPOE220", "unknown type",
        "A column, argument or return type is no PostgreSQL type, enum or domain type of the spec, or "
        "takes modifiers it does not have (`text(10)`). The hint names the closest type.",
        "The migration would fail when applied, far from the line that caused it.",
        Example(_THINGS + "      floor: intger\n", _THINGS + "      floor: integer\n"),
    ),
    Explanation(
        "UPOE221", "discouraged type",
        "A type this project does not use: `timestamp` (use timestamptz), `json` (jsonb), `serial` "
        "(keys are UUID v7), `money` (the money_amount domain), `char` (text).",
        "Each has a better replacement that avoids a known trap: lost time zones, unindexable JSON, "
        "guessable keys, locale-dependent money.",
        Example(_THINGS + "      seen_at: timestamp\n", _THINGS + "      seen_at: timestamptz\n"),
    ),
    Explanation(
        "UPOE222", "unknown table or function",
        "A `references:`, `fires_on` table or `depends_on` entry names no table (or function) any domain "
        "declares. `auth.users` is known.",
        "The foreign key or dependency would point at nothing and the migration would fail.",
        Example(_THINGS + "      owner_id: {type: uuid, references: thingz}\n",
                _THINGS + "      owner_id: {type: uuid, references: things}\n"),
    ),
    Explanation(
        "UPOE223", "bad default",
        "A column's `default:` is not a value of its type: text for an integer, a string for a boolean, "
        "a value outside its enum.",
        "PostgreSQL would refuse the migration, or every row would get a value no check allows.",
        Example(_THINGS + "      floor: {type: integer, default: ground}\n",
                _THINGS + "      floor: {type: integer, default: 0}\n"),
    ),
    Explanation(
        "UPOE224", "tenancy problem",
        "The tenancy does not fit the table: its `column:` is not a column of the table, a required "
        "reference is set to null on delete, or a global table has insert, update or delete rules.",
        "Tenancy is what row-level security isolates communities by; a mistake here leaks or loses rows.",
        Example("tables:\n  things:\n    description: Things everyone shares.\n    requirements: [EX-01]\n"
                "    tenancy: global\n    columns:\n      label: text\n    access:\n"
                "      select: [member]\n      insert: [admin]\n",
                "tables:\n  things:\n    description: Things everyone shares.\n    requirements: [EX-01]\n"
                "    tenancy: global\n    columns:\n      label: text\n    access:\n      select: [member]\n"),
        fix="a global table is written by service_role only: drop the write rules, or make it a community table.",
    ),
    Explanation(
        "UPOE225", "unknown column",
        "An index, unique constraint, validity window, state machine or other key names a column the "
        "table does not have. The hint names the closest one.",
        "The constraint or index would fail to create, or guard the wrong column.",
        Example(_THINGS + "      label: text\n    indexes:\n      - columns: [lable]\n",
                _THINGS + "      label: text\n    indexes:\n      - columns: [label]\n"),
    ),
    Explanation(
        "UPOE226", "a column the patterns add",
        "A column is declared that the table's patterns generate: `id`, `community_id` (or the tenancy "
        "column), and the audit columns `created_at`, `updated_at`, `created_by`, `updated_by`, `deleted_at`.",
        "The generated column and yours would clash; the generated one is the one RLS and triggers rely on.",
        Example(_THINGS + "      id: uuid\n      label: text\n", _THINGS + "      label: text\n"),
    ),
    Explanation(
        "UPOE227", "unknown requirement",
        "A table, column, enum, function, view or bucket traces a requirement ID that no domain lists "
        "under `requirements:`.",
        "Traceability (the docs' requirement table, the pgTAP tests' names) must point at real requirements.",
        Example(_THINGS.replace("[EX-01]", "[EX-02]") + "      label: text\n", _THINGS + "      label: text\n"),
    ),
    Explanation(
        "UPOE228", "unknown role",
        "An access rule, `callers` or `execute` list names a role that the foundation's `roles:` does not "
        "declare (`member` means any role of the community; `anon` and `authenticated` are API roles).",
        "A policy for a role no user can have grants nothing, and a typo would lock the intended role out.",
        Example(_THINGS + "      label: text\n    access:\n      select: [admn]\n",
                _THINGS + "      label: text\n    access:\n      select: [admin]\n"),
    ),
    Explanation(
        "UPOE229", "SQL fragment PostgreSQL cannot read",
        "A check, default_sql, `where`, generated expression, trigger condition or function body is not "
        "valid SQL for PostgreSQL's own parser, or holds something it must not (a `;`, a comment, an "
        "unbalanced parenthesis or quote, the compiler's dollar-quote tag). The error stands at the token "
        "the parser names, in the spec or in the body file.",
        "The fragment is pasted into generated SQL; a broken one would fail the migration, or, with a `;` "
        "or comment, change what the statement does.",
        Example(_THINGS + _AREA + "      positive: {expression: \"area_m2 > > 0\"}\n",
                _THINGS + _AREA + "      positive: {expression: \"area_m2 > 0\"}\n"),
    ),
    Explanation(
        "UPOE230", "body file missing or unreadable",
        "A `body_file` (or `invoker_body_file`) does not exist, lies outside the spec folder, or is not UTF-8.",
        "The function would be created without its body; a path leaving the spec folder could read any file.",
        Example("functions:\n  count_things:\n    description: Counts things.\n    returns: bigint\n"
                "    language: sql\n    body_file: sql/example/count_thngs.sql\n",
                "functions:\n  count_things:\n    description: Counts things.\n    returns: bigint\n"
                "    language: sql\n    body: select 1::bigint\n"),
        fix="paths are relative to the spec folder, e.g. sql/<domain>/<function>.sql.",
    ),
    Explanation(
        "UPOE232", "enum value listed twice",
        "An enum lists one value twice.",
        "`create type … as enum` refuses repeated labels.",
        Example("enums:\n  colour:\n    description: Colours.\n    values: [red, green, red]\n",
                "enums:\n  colour:\n    description: Colours.\n    values: [red, green]\n"),
    ),
    Explanation(
        "UPOE233", "a fragment names a column the table lacks",
        "A table-level SQL fragment (a check, generated expression, backfill, index or unique `where`, an "
        "access `where`) names a column the table does not have. The hint names the closest one.",
        "PostgreSQL would refuse the migration with `column does not exist`, far from the spec line.",
        Example(_THINGS + _AREA + "      positive: {expression: \"area_m3 > 0\"}\n",
                _THINGS + _AREA + "      positive: {expression: \"area_m2 > 0\"}\n"),
    ),
    Explanation(
        "UPOE234", "unknown table or view in SQL",
        "A view query, function body or SQL expression names a table or view that is not a table or view of "
        "the spec, a CTE of the statement or a system relation (auth.users). The hint names the closest one.",
        "PostgreSQL accepts a plpgsql body naming a missing table and fails only when it runs, in production; "
        "a view or sql function fails the migration, far from the spec line.",
        Example(_THINGS + "      label: text\nviews:\n  thing_labels:\n    description: Labels.\n"
                "    requirements: [EX-01]\n    query: select t.id, t.label from public.thingz t\n",
                _THINGS + "      label: text\nviews:\n  thing_labels:\n    description: Labels.\n"
                "    requirements: [EX-01]\n    query: select t.id, t.label from public.things t\n"),
    ),
    Explanation(
        "UPOE235", "unknown function in SQL",
        "A view query, function body or SQL expression calls a function that is not a function of the spec, "
        "a PostgreSQL built-in or a function of an extension the migrations create. The hint names the "
        "closest one.",
        "The call would fail when the SQL runs (a plpgsql body: only then, in production).",
        Example(_THINGS + "      label: text\n    checks:\n      short: {expression: \"lenght(label) < 80\"}\n",
                _THINGS + "      label: text\n    checks:\n      short: {expression: \"length(label) < 80\"}\n"),
    ),
    # -- resolve ---------------------------------------------------------------------------
    Explanation(
        "UPOE240", "foundation function missing",
        "A table's patterns (UUID v7 keys, audit, tenancy, storage paths) call foundation functions "
        "(`generate_uuid_v7`, `get_current_community_id`, `set_audit_fields`, …) that no domain declares.",
        "The generated defaults, triggers and policies would call functions that do not exist.",
        Example("spec/ holding parking.yaml only", "spec/ holding foundation.yaml (with spec/sql/foundation/) "
                "and parking.yaml", "outside"),
    ),
    Explanation(
        "UPOE241", "two objects of one name",
        "Two generated objects would have the same name, e.g. a declared index named like the one a "
        "pattern adds.",
        "One of them would be left out of the migration, silently.",
        Example(_THINGS + "      label: text\n      owner_id: {type: uuid, references: things}\n    indexes:\n"
                "      - {columns: [community_id, owner_id], where: \"label is not null\"}\n",
                _THINGS + "      label: text\n      owner_id: {type: uuid, references: things}\n    indexes:\n"
                "      - {columns: [community_id, owner_id], where: \"label is not null\",\n"
                "         name: things_labelled_idx}\n"),
    ),
    # -- constructs ------------------------------------------------------------------------
    Explanation(
        "UPOE250", "state machine or stamps problem",
        "A `state_machine` or `stamps` names a column that is not there or not an enum, a state the enum "
        "lacks, or has no initial state (no `initial:` and no default).",
        "The transition trigger would compare against states that never occur, so it would refuse or "
        "allow the wrong changes.",
        Example(_JOBS_ENUM + "    state_machine:\n      column: status\n      transitions:\n"
                "        open: [assigned, canceled]\n",
                _JOBS_ENUM + "    state_machine:\n      column: status\n      transitions:\n"
                "        open: [assigned]\n        assigned: [done]\n"),
    ),
    Explanation(
        "UPOE251", "`when` problem",
        "A conditional requirement (`when:`) names a column the table lacks, a value its enum does not have, "
        "or requires a column that is not there.",
        "The generated check would never apply, or fail to create.",
        Example(_JOBS_ENUM + "      reason: text\n    when:\n      status:\n        closed: {require: [reason]}\n",
                _JOBS_ENUM + "      reason: text\n    when:\n      status:\n        done: {require: [reason]}\n"),
    ),
    Explanation(
        "UPOE252", "validity window problem",
        "A `validity:` window names a start or end column the table lacks.",
        "The check that a window ends after it starts would not compile.",
        Example(_THINGS + "      starts_at: timestamptz\n      ends_at: timestamptz\n"
                "    validity: {starts: starts_at, ends: ends}\n",
                _THINGS + "      starts_at: timestamptz\n      ends_at: timestamptz\n"
                "    validity: {starts: starts_at, ends: ends_at}\n"),
    ),
    Explanation(
        "UPOE253", "ownership problem",
        "An `own:` rule or `owned_by` does not lead to something a caller can own: an unknown column or "
        "function, a path through something that is no reference, a table without `owned_by`, or an "
        "`owned_by` function that takes arguments or does not return uuid or uuid[].",
        "Ownership decides which rows a resident sees; a broken path would show them none, or others' rows.",
        Example(_THINGS + "      author_id: {type: uuid, references: auth.users}\n    access:\n"
                "      select:\n        - {roles: [resident], own: autor_id}\n",
                _THINGS + "      author_id: {type: uuid, references: auth.users}\n    access:\n"
                "      select:\n        - {roles: [resident], own: author_id}\n"),
    ),
    Explanation(
        "UPOE254", "trigger problem",
        "A `triggers:` entry names an unknown function, a function that does not return `trigger`, or has "
        "a `when` condition that is no single SQL expression.",
        "PostgreSQL refuses a trigger on a function that is not a trigger function.",
        Example(_THINGS + "      label: text\n    triggers:\n      - {function: touch_thing, events: [update]}\n",
                _THINGS + "      label: text\n"),
        fix="declare the function under `functions:` with `returns: trigger`, or name one that is.",
    ),
    Explanation(
        "UPOE255", "bucket problem",
        "A storage bucket names an unknown table, entity or path column (or one holding an array), lists a "
        "path column twice under `files:`, names a table both on itself and under `files:`, grants upload to a "
        "role that may not write its table, or gives an upload rule a `check`.",
        "Storage policies are generated from these names; a wrong one would let no one, or anyone, upload.",
        Example(_THINGS + "      photo_path: text\nbuckets:\n  thing-photos:\n    description: Photos of things.\n"
                "    requirements: [EX-01]\n    table: things\n    path_column: photo\n    entity: things\n"
                "    upload: [admin]\n",
                _THINGS + "      photo_path: text\n    access:\n      select: [member]\n      insert: [admin]\n"
                "buckets:\n  thing-photos:\n    description: Photos of things.\n"
                "    requirements: [EX-01]\n    table: things\n    path_column: photo_path\n    entity: things\n"
                "    upload: [admin]\n"),
    ),
    Explanation(
        "UPOE256", "exclusion problem",
        "An `exclude:` constraint names a column the table lacks, or an operator that is not one.",
        "The exclusion constraint would fail to create, and overlapping rows would not be refused.",
        Example(_THINGS + _BOOKINGS + "    exclude:\n      - columns: {room_id: \"=\", period: overlaps}\n",
                _THINGS + _BOOKINGS + "    exclude:\n      - columns: {room_id: \"=\", period: \"&&\"}\n"),
    ),
    Explanation(
        "UPOE257", "view problem",
        "A view's query is not one select statement (a `;`, a comment), or its `query_file` is missing, "
        "outside the spec folder, not UTF-8, or a function body.",
        "The query is pasted into `create view`; anything beyond one select would change the statement.",
        Example(_THINGS + "      label: text\nviews:\n  thing_labels:\n    description: Labels.\n"
                "    requirements: [EX-01]\n    query: select t.id, t.label from public.things t;\n",
                _THINGS + "      label: text\nviews:\n  thing_labels:\n    description: Labels.\n"
                "    requirements: [EX-01]\n    query: select t.id, t.label from public.things t\n"),
    ),
    Explanation(
        "UPOE258", "guarded or normalised column problem",
        "`guarded_columns` names an unknown column or role, `member`, a stamped or pattern column, or a "
        "column with a volatile default; or `normalize` is set on a generated column.",
        "The guard trigger would protect nothing, or stop the database itself from writing the column.",
        Example(_THINGS + "      approved: {type: boolean, required: true, default: false}\n"
                "    guarded_columns:\n      - columns: [aproved]\n        roles: [admin]\n",
                _THINGS + "      approved: {type: boolean, required: true, default: false}\n"
                "    guarded_columns:\n      - columns: [approved]\n        roles: [admin]\n"),
    ),
    Explanation(
        "UPOE259", "counter problem",
        "A `counts:` column counts rows of an unknown table, through a `via` column that does not reference "
        "its table, or is not an integer column with `default: 0`.",
        "The counting trigger would count the wrong rows, or start from null and stay null.",
        Example(_THINGS + "      note_count: {type: integer, default: 0, counts: {table: notes, via: thing_id}}\n"
                "  notes:\n    description: Notes on things.\n    requirements: [EX-01]\n    tenancy: community\n"
                "    columns:\n      thing_id: uuid\n",
                _THINGS + "      note_count: {type: integer, required: true, default: 0, "
                "counts: {table: notes, via: thing_id}}\n"
                "  notes:\n    description: Notes on things.\n    requirements: [EX-01]\n    tenancy: community\n"
                "    columns:\n      thing_id: {type: uuid, references: things}\n"),
    ),
    Explanation(
        "UPOE260", "update rule `check` problem",
        "A select, insert or delete rule has a `check` (only update rules take one), or a `member` update "
        "rule would have to inherit the conditions of insert rules of single roles.",
        "`check` says what an updated row must hold; elsewhere it means nothing, and silently ignoring it "
        "would leave a hole the author thought closed.",
        Example(_THINGS + "      label: text\n    access:\n      select:\n"
                "        - {roles: [member], check: \"label <> ''\"}\n",
                _THINGS + "      label: text\n    access:\n      select:\n"
                "        - {roles: [member], where: \"label <> ''\"}\n"),
    ),
    Explanation(
        "UPOE261", "synced table without audit",
        "A table marked `synced` has no audit columns (`audit: false`).",
        "Offline clients ask for what changed since their last sync by `updated_at`; without it they cannot.",
        Example(_THINGS + "      label: text\n    audit: false\n    synced: true\n",
                _THINGS + "      label: text\n    synced: true\n"),
    ),
    Explanation(
        "UPOE262", "realtime table no role may read",
        "A table marked `realtime` has an empty list of select rules (`select: []`).",
        "Realtime delivers only rows the subscriber may select; with no one allowed, it publishes to no one.",
        Example(_THINGS + "      label: text\n    realtime: true\n    access:\n      select: []\n",
                _THINGS + "      label: text\n    realtime: true\n    access:\n      select: [member]\n"),
    ),
    Explanation(
        "UPOE263", "balanced group problem",
        "`balanced:` names an unknown column, or sums a column that is not a number.",
        "The commit-time check that each group sums to zero could not add the values up.",
        Example(_THINGS + "      batch_id: {type: uuid, required: true}\n      amount: {type: text, required: true}\n"
                "    balanced: {group: batch_id, sum: amount, error: unbalanced_batch}\n",
                _THINGS + "      batch_id: {type: uuid, required: true}\n"
                "      amount: {type: \"numeric(15,4)\", required: true}\n"
                "    balanced: {group: batch_id, sum: amount, error: unbalanced_batch}\n"),
    ),
    Explanation(
        "UPOE264", "`referenced_row` without a reference",
        "A column has `referenced_row` but references no table of the spec.",
        "The check reads the referenced row; without a reference there is no row to read.",
        Example(_THINGS + "      label: text\n      parent_id:\n        type: uuid\n"
                "        referenced_row: {where: \"label is not null\", error: bad_parent}\n",
                _THINGS + "      label: text\n      parent_id:\n        type: uuid\n        references: things\n"
                "        referenced_row: {where: \"label is not null\", error: bad_parent}\n"),
    ),
    Explanation(
        "UPOE265", "`append_only` problem",
        "An `append_only` exception names a column the table lacks, or the table is also `immutable`.",
        "The trigger compares rows without the excepted columns; an unknown one would except nothing, and "
        "`immutable` already refuses every change.",
        Example(_THINGS + "      label: text\n      status: text\n"
                "    append_only: {except: [stauts], error: thing_locked}\n",
                _THINGS + "      label: text\n      status: text\n"
                "    append_only: {except: [status], error: thing_locked}\n"),
    ),
    Explanation(
        "UPOE266", "workflow state nothing leads into",
        "A state of a `state_machine` has transitions out, but it is not initial and no transition leads "
        "into it (a warning: the compile goes on).",
        "No row can ever reach the state, so its transitions out are dead: usually a misspelt target or a "
        "forgotten `initial:`.",
        Example(_JOBS_ENUM + "    state_machine:\n      column: status\n      initial: [open]\n      transitions:\n"
                "        open: [done]\n        assigned: [done]\n",
                _JOBS_ENUM + "    state_machine:\n      column: status\n      initial: [open]\n      transitions:\n"
                "        open: [assigned]\n        assigned: [done]\n"),
        severity="warning",
    ),
    Explanation(
        "UPOE267", "workflow state with no way out",
        "Rows in a state of a `state_machine` can move on, but only in a loop that never reaches an end "
        "state (a state with no transitions out) (a warning).",
        "Such rows can never be finished: usually a transition towards the end is missing.",
        Example(_JOBS_ENUM + "    state_machine:\n      column: status\n      initial: [open]\n      transitions:\n"
                "        open: [assigned, done]\n        assigned: [assigned]\n",
                _JOBS_ENUM + "    state_machine:\n      column: status\n      initial: [open]\n      transitions:\n"
                "        open: [assigned, done]\n        assigned: [done]\n"),
        severity="warning",
    ),
    Explanation(
        "UPOE268", "enum value the workflow never mentions",
        "A value of a state machine column's enum appears nowhere in the workflow: not initial, no "
        "transition into or out of it (a warning).",
        "Rows can neither enter nor leave that state, so the value is dead, or a transition was forgotten.",
        Example(_JOBS_ENUM + "    state_machine:\n      column: status\n      transitions:\n"
                "        open: [assigned]\n",
                _JOBS_ENUM + "    state_machine:\n      column: status\n      transitions:\n"
                "        open: [assigned]\n        assigned: [done]\n"),
        severity="warning",
    ),
    # -- graph -----------------------------------------------------------------------------
    Explanation(
        "UPOE301", "unknown dependency",
        "A generated object depends on one that nothing creates (a function a policy or default calls, say).",
        "The migration orders objects by their dependencies; a missing one would fail at apply time.",
        Example("a policy calling public.my_units() that no domain declares",
                "declare my_units under `functions:`", "outside"),
    ),
    Explanation(
        "UPOE302", "dependency cycle between objects",
        "Objects depend on each other in a cycle (the message shows the path), e.g. two functions that "
        "each list the other under `depends_on`.",
        "No order of `create` statements satisfies a cycle.",
        Example("functions:\n  first_step:\n    description: One.\n    returns: integer\n    language: sql\n"
                "    body: select 1\n    depends_on: [second_step]\n"
                "  second_step:\n    description: Two.\n    returns: integer\n    language: sql\n"
                "    body: select 2\n    depends_on: [first_step]\n",
                "functions:\n  first_step:\n    description: One.\n    returns: integer\n    language: sql\n"
                "    body: select 1\n    depends_on: [second_step]\n"
                "  second_step:\n    description: Two.\n    returns: integer\n    language: sql\n"
                "    body: select 2\n"),
    ),
    Explanation(
        "UPOE303", "cycle between domains",
        "Domains depend on each other in a cycle (the message names each dependency).",
        "Each domain is one migration file applied in order; a cycle has no order.",
        Example("crm references access.gates; access references crm.units in a way that needs crm first",
                "move the shared table into the earlier domain", "outside"),
    ),
    # -- write and releases ----------------------------------------------------------------
    Explanation(
        "UPOE402", "output folder not written by upoe",
        "The `--out` folder exists, is not empty and has no `manifest.json`.",
        "upoe replaces its output folder whole; it never deletes a folder it did not write.",
        Example("upoe compile --out src", "upoe compile --out build", "outside"),
    ),
    Explanation(
        "UPOE403", "cannot write the output",
        "The filesystem refused to write the output folder (permissions, disk full, a file in the way).",
        "The build is written whole or not at all; the previous one is kept.",
        Example("upoe compile --out /read-only/build", "upoe compile --out build", "outside"),
    ),
    Explanation(
        "UPOE410", "released migration edited",
        "A file under spec/migrations/ differs from what `upoe release` froze (upoe.sum has its hash).",
        "Databases that already ran the released file will never run the edit; the change must come as a "
        "new migration.",
        Example("editing spec/migrations/20261207120000_initial.sql",
                "git checkout spec/migrations/; edit the spec; upoe plan; upoe release <name>", "outside"),
    ),
    Explanation(
        "UPOE411", "released migration deleted",
        "A file listed in upoe.sum is gone from spec/migrations/.",
        "New databases would be built without it, unlike every deployed one.",
        Example("rm spec/migrations/20261207120000_initial.sql", "git checkout spec/migrations/", "outside"),
    ),
    Explanation(
        "UPOE412", "migration added by hand",
        "A file in spec/migrations/ was never released (upoe.sum does not list it).",
        "Released files are what upoe diffs from; a hand-written one is outside that record.",
        Example("spec/migrations/fix.sql written by hand", "edit the spec, then upoe release fix", "outside"),
    ),
    Explanation(
        "UPOE413", "upoe.sum damaged",
        "spec/migrations/upoe.sum has a malformed line, or its hash chain does not add up.",
        "The chain is how upoe (and git, on merge) notices released files changed or raced.",
        Example("a hand-edited or merge-conflicted upoe.sum",
                "restore upoe.sum from git; release again after a merge", "outside"),
    ),
    Explanation(
        "UPOE414", "change the differ refuses",
        "A change since the last release cannot be made safely as it is: data would be lost (a dropped "
        "column or table), refused (a required column without a `backfill`), moved without acknowledgement, "
        "or PostgreSQL cannot make it in place.",
        "Deployed databases hold real rows; upoe never writes a migration that silently loses or breaks them.",
        Example("a new required column on a released table, with no default and no backfill",
                "the same column with `backfill: \"'unknown'\"` (the value existing rows take)", "outside"),
    ),
    Explanation(
        "UPOE415", "release name not snake_case",
        "The NAME of `upoe release NAME` is not lower snake_case.",
        "It becomes part of the migration's file name, which every tool must read the same way.",
        Example("upoe release Add-Parking", "upoe release add_parking", "outside"),
    ),
    Explanation(
        "UPOE420", "test tagged with an unknown requirement",
        "A hand-written test read by `compile --tests DIR` carries `@pytest.mark.requirement(...)` with an "
        "ID no domain declares (a warning).",
        "The docs' traceability table would link the test to nothing, and a typo hides the requirement it proves.",
        Example("@pytest.mark.requirement(\"FIN-1\")", "@pytest.mark.requirement(\"FIN-01\")", "outside"),
        severity="warning",
    ),
    Explanation(
        "UPOE421", "test file unreadable",
        "A Python file under the `--tests` folder cannot be parsed, so its requirement tags are not read "
        "(a warning).",
        "Its tests would be missing from the traceability table without a word.",
        Example("tests/db/test_gates.py with a syntax error", "fix the file, or move it out of --tests", "outside"),
        severity="warning",
    ),
)

# Lint rules whose finding a spec can produce (the others guard the compiler itself).
LINT_EXAMPLES: dict[str, Example] = {
    "UPOE501": Example(_THINGS + "      label: text\n    access: {select: [], insert: [], update: []}\n",
                       _THINGS + "      label: text\n    access: {select: [member], insert: [], update: []}\n"),
    "UPOE502": Example(
        _THINGS + "      author_id: {type: uuid, references: auth.users}\n    access:\n      select: [member]\n"
        "      update:\n        - {roles: [resident], where: \"author_id = auth.uid()\"}\n",
        _THINGS + "      author_id: {type: uuid, references: auth.users}\n    access:\n      select: [member]\n"
        "      update:\n        - {roles: [resident], where: \"author_id = (select auth.uid())\"}\n"),
    "UPOE503": Example(
        _THINGS + "      label: text\nfunctions:\n  count_things:\n    description: Counts things.\n"
        "    returns: bigint\n    language: sql\n    volatility: stable\n    body: select count(*) from things\n",
        _THINGS + "      label: text\nfunctions:\n  count_things:\n    description: Counts things.\n"
        "    returns: bigint\n    language: sql\n    volatility: stable\n"
        "    body: select count(*) from public.things\n"),
    "UPOE504": Example(
        _THINGS + "      label: text\nfunctions:\n  count_things:\n    description: Counts things.\n"
        "    returns: bigint\n    language: sql\n    volatility: stable\n    security: definer\n"
        "    execute: [anon, authenticated]\n    body: select count(*) from public.things\n",
        _THINGS + "      label: text\nfunctions:\n  count_things:\n    description: Counts things.\n"
        "    returns: bigint\n    language: sql\n    volatility: stable\n    security: definer\n"
        "    execute: [authenticated]\n    body: select count(*) from public.things\n"),
    "UPOE510": Example(
        _THINGS + "      label: text\n  bookmarks:\n    description: A user's bookmarks.\n    requirements: [EX-01]\n"
        "    tenancy: user\n    columns:\n      thing_id: {type: uuid, references: things}\n",
        _THINGS + "      label: text\n  bookmarks:\n    description: Bookmarks of a community.\n"
        "    requirements: [EX-01]\n    tenancy: community\n    columns:\n"
        "      thing_id: {type: uuid, required: true, references: things}\n"),
    "UPOE512": Example(
        _THINGS + _AUTHORED + "      update:\n        - {roles: [resident], own: author_id}\n",
        _THINGS + _AUTHORED + "      update:\n"
        "        - {roles: [resident], own: author_id, where: \"status = 'draft'\"}\n"),
    "UPOE513": Example(
        _THINGS + "      reporter_id: {type: uuid, references: auth.users, default_sql: auth.uid()}\n",
        _THINGS + "      reporter_id: {type: uuid, references: auth.users, default_sql: auth.uid()}\n"
        "    guarded_columns:\n      - {columns: [reporter_id], roles: [admin]}\n"),
    "UPOE506": Example(
        _THINGS + "      label: text\n    access:\n      select:\n"
        "        - {roles: [member], where: \"(auth.jwt() -> 'user_metadata' ->> 'vip') = 'yes'\"}\n",
        _THINGS + "      label: text\n    access:\n      select:\n"
        "        - {roles: [member], where: \"((select auth.jwt()) -> 'app_metadata' ->> 'vip') = 'yes'\"}\n"),
}
