"""Workflows (`state_machine:`) and stamps without a workflow (`stamps:`): a status column moves
only along declared transitions, API callers create rows only in the initial states, and
entering a state records when and by whom. Template: sql/state_machine.sql.j2."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import model_validator

from .. import ir
from ..pgnames import fit_identifier, ident, literal
from ..spec_base import Name, SpecModel
from .base import Construct, register

if TYPE_CHECKING:
    from ..construct_checks import TableCheck
    from ..render.pgtap import Probe, ProbeBuilder
    from ..resolve.table import TableExpansion


class StateMachineSpec(SpecModel):
    """The allowed moves of a status column; entering a state can stamp when and by whom."""

    column: Name
    transitions: dict[Name, list[Name]]
    # The states API callers may create rows in; by default the column's default. The
    # platform (service_role, jobs, security-definer functions) may create rows in any state.
    initial: list[Name] = []
    stamps: dict[Name, Name] = {}
    stamp_actors: dict[Name, Name] = {}


class StampSpec(SpecModel):
    """What entering a value of a column records: when (`at`) and by whom (`by`)."""

    at: Name | None = None
    by: Name | None = None

    @model_validator(mode="after")
    def _something(self) -> StampSpec:
        if self.at is None and self.by is None:
            raise ValueError("give `at` (a timestamp column) and/or `by` (a user id column)")
        return self


def _state_machine(table: TableExpansion, column: str, transitions: tuple[tuple[str, str], ...],
                   stamps: dict[str, StampSpec], initial: tuple[str, ...], path: tuple[str, ...],
                   suffix: str, trigger: str) -> ir.StateMachine:
    on_entry = tuple(
        (state, tuple((target, value) for target, value in ((stamp.at, "pg_catalog.now()"), (stamp.by, "auth.uid()"))
                      if target))
        for state, stamp in stamps.items())
    return ir.StateMachine(
        f"state_machine:public.{table.name}.{column}", table.domain, (table.key, "schema:private"),
        table.at(*path), schema="private", table=table.name, column=column,
        function_name=fit_identifier(f"{table.name}_{column}_{suffix}"), transitions=transitions,
        on_entry=on_entry, initial=initial, trigger_name=fit_identifier(trigger),
        events=("insert", f"update of {ident(column)}"), requirements=tuple(table.table.requirements))


def _stamp_entries(machine: ir.StateMachine) -> tuple[str, ...]:
    return tuple(
        f"entering {state} sets " + ", ".join(f"{column} = {value.removeprefix('pg_catalog.')}"
                                                for column, value in assignments)
        for state, assignments in machine.on_entry)


@register
class StateMachine(Construct):
    key = "state_machine"
    model = StateMachineSpec | None
    template = "sql/state_machine.sql.j2"
    ir_types = (ir.StateMachine,)

    def check(self, table: TableCheck) -> None:
        machine = table.table.state_machine
        if machine is None:
            return
        if not table.column(table.value_at("state_machine", "column"), machine.column, "UPOE250"):
            return
        states = table.enum_of(machine.column)
        if states is None:
            table.error("UPOE250", f"state machine column '{machine.column}' is not an enum",
                        table.value_at("state_machine", "column"), "give the column an enum type")
            return
        what = f"state of {machine.column}"
        # Each name checked, all of them (a list, not a generator that `all` would cut short).
        known = []
        for source, targets in machine.transitions.items():
            known.append(table.known(table.key_at("state_machine", "transitions", source), source, states,
                                     "UPOE250", what))
            for index, target in enumerate(targets):
                known.append(table.known(table.value_at("state_machine", "transitions", source, index), target,
                                         states, "UPOE250", what))
        for key in ("stamps", "stamp_actors"):
            for state, column in getattr(machine, key).items():
                known.append(table.known(table.key_at("state_machine", key, state), state, states, "UPOE250", what))
                table.column(table.value_at("state_machine", key, state), column, "UPOE250")
        for index, state in enumerate(machine.initial):
            known.append(table.known(table.value_at("state_machine", "initial", index), state, states, "UPOE250",
                                     what))
        default = table.table.columns[machine.column].default
        if not machine.initial and default is None:
            table.error("UPOE250", f"the workflow of '{machine.column}' has no initial state",
                        table.key_at("state_machine"),
                        f"give {machine.column} a `default:`, or list `initial:` states")
            return
        starts = machine.initial or [str(default)]
        # A state the workflow leaves but never enters from where rows start is a likely slip.
        reached = _reachable(starts, machine.transitions)
        for source in machine.transitions:
            if source not in reached and source in states:
                table.warn("UPOE266", f"state '{source}' of {machine.column} has transitions out, but no "
                           f"transition leads into it from {', '.join(sorted(machine.initial or [str(default)]))}",
                           table.key_at("state_machine", "transitions", source),
                           "add a transition into it, list it under `initial:`, or remove its transitions")
        if all(known):
            # A misspelt state would make the workflow's shape look wrong: once it is fixed.
            _check_ways_out(table, machine, starts, states)

    def stamped_columns(self, spec: Any) -> list[str]:
        machine = spec.state_machine
        return [*machine.stamps.values(), *machine.stamp_actors.values()] if machine else []

    def expand(self, table: TableExpansion) -> None:
        spec = table.table.state_machine
        if spec is None:
            return
        transitions = tuple((source, target) for source, targets in spec.transitions.items() for target in targets)
        stamps = {state: StampSpec(at=spec.stamps.get(state), by=spec.stamp_actors.get(state))
                  for state in dict.fromkeys([*spec.stamps, *spec.stamp_actors])}
        # Checks made sure that one of the two exists.
        initial = tuple(spec.initial) or (str(table.table.columns[spec.column].default),)
        table.add(_state_machine(table, spec.column, transitions, stamps, initial,
                                 ("state_machine",), "transition",
                                 f"enforce_{spec.column}_transitions"))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for machine in emitted:
            assert isinstance(machine, ir.StateMachine)
            moves: dict[str, list[str]] = {}
            for source, target in machine.transitions:
                moves.setdefault(source, []).append(target)
            lines = tuple(f"{source} → {', '.join(targets)}" for source, targets in moves.items())
            start = f"API callers create rows in {' or '.join(machine.initial)} only"
            yield ir.Behaviour("state machine", f"{machine.column} moves only along these transitions "
                                                f"(else P0001 invalid_transition)",
                               (start, *lines, *_stamp_entries(machine)))

    def probes(self, table: ir.Table, tests: ProbeBuilder) -> Iterable[Probe]:
        """A move the workflow does not allow, even for service_role; an API insert past the start."""
        machine = next((m for m in tests.objects(ir.StateMachine, table.name) if m.transitions), None)
        if machine is None:
            return
        column = next(c for c in table.columns if c.name == machine.column)
        states = tests.enums.get(column.type, ())
        move = _forbidden_move(column, machine, states)
        if move:
            source, target = move
            name = ident(machine.column)
            row = tests.quote(tests.row_id(table, 1))
            yield tests.probe(f"{table.name}: {machine.column} may not move {source} -> {target}", "service_role",
                              json.dumps({"role": "service_role"}),
                              f"update public.{ident(table.name)} set {name} = {literal(target)} where id = {row}"
                              f" and {name} = {literal(source)}", "error:P0001")
        writer = tests.member_role(table, "insert")
        later = next((state for state in states if state not in machine.initial), None)
        if writer and later:
            values = {**tests.values(table, 1, fresh=True), machine.column: literal(later)}
            yield tests.probe(f"{table.name}: {writer} may not create a row as {machine.column} {later}",
                              "authenticated", tests.claims_for(table, writer, 1), tests.insert(table, values),
                              "error:P0001")


def _reachable(starts: Iterable[str], moves: dict[str, list[str]]) -> set[str]:
    """The states `starts` lead to along `moves` (source → targets), `starts` included."""
    reached = set(starts)
    frontier = list(reached)
    while frontier:
        for target in moves.get(frontier.pop(), []):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    return reached


def _check_ways_out(table: TableCheck, machine: StateMachineSpec, starts: list[str], states: list[str]) -> None:
    """Warnings (UPOE267) for states rows cannot leave towards an end of the workflow, and for values
    of the column's enum the workflow never mentions (UPOE268)."""
    targets = {target for moves in machine.transitions.values() for target in moves}
    mentioned = set(starts) | set(machine.transitions) | targets
    # A state with nowhere to go is where rows end; a workflow without one (active ⇄ suspended) never ends.
    finals = {state for state in mentioned if not machine.transitions.get(state)}
    if finals:
        back: dict[str, list[str]] = {}
        for source, targets in machine.transitions.items():
            for target in targets:
                back.setdefault(target, []).append(source)
        ending = _reachable(finals, back)
        for source in machine.transitions:
            if source not in ending and source in states:
                table.warn("UPOE267", f"state '{source}' of {machine.column} has no way out: rows in it can "
                           f"never reach an end state ({', '.join(sorted(finals))})",
                           table.key_at("state_machine", "transitions", source),
                           "add a transition out of the loop towards an end state, or make it an end state by "
                           "removing its transitions")
    unmentioned = [state for state in states if state not in mentioned]
    if unmentioned:
        listed = ", ".join(f"'{state}'" for state in unmentioned)
        table.warn("UPOE268", f"the workflow of {machine.column} never mentions {listed} of its enum: rows can "
                   "neither enter nor leave " + ("it" if len(unmentioned) == 1 else "them"),
                   table.value_at("state_machine", "column"),
                   "add transitions into and out of them, or remove the values from the enum")


def _forbidden_move(column: ir.Column, machine: ir.StateMachine, states: tuple[str, ...]) -> tuple[str, str] | None:
    """From the state the fixture row is in, a state the workflow does not allow next."""
    if not states:
        return None
    source = column.default.strip("'") if column.default else states[0]
    allowed = {target for start, target in machine.transitions if start == source}
    target = next((v for v in states if v != source and v not in allowed), None)
    return (source, target) if target else None


@register
class Stamps(Construct):
    key = "stamps"
    model = dict[Name, dict[Name, StampSpec]]
    default: Any = {}
    template = "sql/state_machine.sql.j2"
    ir_types = (ir.StateMachine,)
    untested_because = ("its stamp columns are probed by `guarded_columns`: a client that writes one is "
                        "refused (42501); tests/db/test_constructs.py shows the stamps being set")

    def check(self, table: TableCheck) -> None:
        """Stamps without a workflow: column → value → the columns entering the value sets."""
        machine = table.table.state_machine
        for column, values in table.table.stamps.items():
            if not table.column(table.key_at("stamps", column), column, "UPOE250"):
                continue
            if machine is not None and machine.column == column:
                table.error("UPOE250", f"'{column}' has a state machine; put its stamps there",
                            table.key_at("stamps", column), "move them under state_machine: stamps / stamp_actors")
            states = table.enum_of(column)
            for value, stamp in values.items():
                if states is not None:
                    table.known(table.key_at("stamps", column, value), value, states, "UPOE250",
                                f"value of {column}")
                for key in ("at", "by"):
                    target = getattr(stamp, key)
                    if target is not None:
                        table.column(table.value_at("stamps", column, value, key), target, "UPOE250")

    def stamped_columns(self, spec: Any) -> list[str]:
        return [c for values in spec.stamps.values() for stamp in values.values() for c in (stamp.at, stamp.by) if c]

    def expand(self, table: TableExpansion) -> None:
        for column, values in table.table.stamps.items():
            table.add(_state_machine(table, column, (), values, (), ("stamps", column),
                                     "stamps", f"stamp_{column}"))

    def describe(self, table: TableExpansion, emitted: list[ir.DbObject]) -> Iterable[ir.Behaviour]:
        for machine in emitted:
            assert isinstance(machine, ir.StateMachine)
            yield ir.Behaviour("stamps", f"changes of {machine.column} record when (and who)", _stamp_entries(machine))
