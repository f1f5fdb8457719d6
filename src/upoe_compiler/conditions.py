"""Boolean SQL conditions as small trees, printed with one clause per line.

Policies combine tenant, role, ownership and spec-written conditions; building them as
trees keeps the precedence right and the printed SQL readable in a review.
"""

from __future__ import annotations

from dataclasses import dataclass

TRUE = "true"


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Any:
    parts: tuple[Condition, ...]


Condition = str | All | Any


def all_of(*parts: Condition | None) -> Condition:
    flat: list[Condition] = []
    for part in parts:
        if part is None or part == TRUE:
            continue
        flat.extend(part.parts if isinstance(part, All) else (part,))
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else All(tuple(flat))


def any_of(*parts: Condition | None) -> Condition:
    flat: list[Condition] = []
    for part in parts:
        if part is None:
            continue
        if part == TRUE:
            return TRUE
        flat.extend(part.parts if isinstance(part, Any) else (part,))
    if not flat:
        raise ValueError("any_of() of nothing is no condition")
    return flat[0] if len(flat) == 1 else Any(tuple(flat))


def render(condition: Condition) -> str:
    if isinstance(condition, str):
        return condition
    keyword = "and" if isinstance(condition, All) else "or"
    return f"\n{keyword} ".join(_operand(part) for part in condition.parts)


def _operand(part: Condition) -> str:
    if isinstance(part, str):
        return part
    inner = render(part).replace("\n", "\n    ")
    return f"(\n    {inner}\n)"
