"""Two-way field sync: which side changed a field since the last sync.

For each linked pair of records (a CRM company and an ERP party that are one customer) and
each field, the baseline is what each side held at the last sync. Compared with it:
- neither side changed: nothing to write (even when they differ: a difference older than
  the integration, or first seen now, is the duplicate review's business, not rewritten
  wholesale);
- one side changed: its value goes to the other side;
- both changed, to different values: the field's owner wins, and the other side's value is
  kept as a conflict (nothing is lost silently); to the same value: nothing to write.
The baseline then becomes what each side will hold once the planned writes land, so the
pipeline's own writes never read back as changes (no ping-pong). Values are compared in a
standard form (`same`), so a typing variant is no change. Pure.
"""

from collections.abc import Callable
from dataclasses import dataclass

from integration_pipeline.entities.spec import System


@dataclass(frozen=True)
class FieldState:
    pair: tuple[str, str]  # (CRM record, ERP record)
    field: str
    crm: str | None
    erp: str | None
    baseline: tuple[str | None, str | None] | None  # (CRM, ERP) at the last sync; None: first


@dataclass(frozen=True)
class FieldWrite:
    pair: tuple[str, str]
    field: str
    to: System  # the system written
    value: str | None


@dataclass(frozen=True)
class Conflict:
    pair: tuple[str, str]
    field: str
    owner: System
    kept: str | None  # the owner's value, now on both sides
    overruled: str | None  # the other side's value


@dataclass
class Decisions:
    writes: list[FieldWrite]
    conflicts: list[Conflict]
    # (pair, field) -> (CRM value, ERP value) once the writes land: the next baseline
    baselines: dict[tuple[tuple[str, str], str], tuple[str | None, str | None]]


def decide(
    states: list[FieldState],
    owners: dict[str, System],
    same: Callable[[str | None, str | None], bool],
) -> Decisions:
    decisions = Decisions([], [], {})
    for state in states:
        target = (state.pair, state.field)
        decisions.baselines[target] = (state.crm, state.erp)
        if state.baseline is None or same(state.crm, state.erp):
            continue
        crm_changed = not same(state.crm, state.baseline[0])
        erp_changed = not same(state.erp, state.baseline[1])
        if not (crm_changed or erp_changed):
            continue
        if crm_changed and erp_changed:
            owner = owners[state.field]
            kept, overruled = (state.crm, state.erp) if owner == "crm" else (state.erp, state.crm)
            decisions.conflicts.append(Conflict(state.pair, state.field, owner, kept, overruled))
            winner = owner
        else:
            winner = "crm" if crm_changed else "erp"
        value = state.crm if winner == "crm" else state.erp
        decisions.writes.append(
            FieldWrite(state.pair, state.field, "erp" if winner == "crm" else "crm", value)
        )
        decisions.baselines[target] = (value, value)
    return decisions
