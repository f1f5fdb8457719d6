"""What a pending migration is made of while the differ builds it, and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import ir
from ...errors import Diagnostic

HINT = ("upoe cannot make this change on a live database: undo this part of it; on a project not yet "
        "deployed, remove migrations/ to start a new baseline")
DATA_HINT = "if its data may go, add to the domain file: acknowledge: [{drop: \"%s\", reason: \"...\"}]"


@dataclass
class Migration:
    """What the pending migrations say (four phases, then the validations), and what they cannot."""

    renames: list[str] = field(default_factory=list)
    prechecks: list[str] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)
    creates: list[str] = field(default_factory=list)
    # Checks of existing rows, in a migration of their own: validating in the transaction that
    # added a constraint would scan under the exclusive lock the addition holds until commit.
    validations: list[str] = field(default_factory=list)
    # What a reviewer must weigh: `destructive`, `breaking` (for API clients), `lock`, `rewrite`.
    flags: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def flag(self, kind: str, text: str) -> None:
        self.flags.append(f"{kind}: {text}")

    def refuse(self, what: str, identity: ir.Identity, position: Any, hint: str = HINT) -> None:
        self.problems.append(Diagnostic("UPOE414", f"the spec {what} {identity}", position, hint))


@dataclass(frozen=True)
class Pending:
    """The migrations the next release would freeze (none when nothing changed; a second one
    when existing rows must be validated) and what they risk, in words."""

    migrations: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
