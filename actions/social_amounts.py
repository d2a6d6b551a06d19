"""Social-assistance amounts as a citizen reads them (issue 17): an amount whose fact in the
registry is unverified (BPNT, BLT Dana Desa) carries the registry's caveat and where to
confirm it, instead of being stated flatly."""

from __future__ import annotations

from typing import Any

from actions.answers import rupiah
from knowledge import facts
from knowledge.registry import CAVEAT

# The registry's fact behind a programme's amount, by the programme's name in Cek Bansos.
PROGRAMME_AMOUNT_FACTS = {"BPNT": "bpnt.monthly_amount", "BLT-DD": "blt_dana_desa.monthly_amount"}


def amount_text(programme: str, amount: Any) -> str:
    """The amount in Rupiah, followed by the registry's caveat when its fact is unverified."""
    fact_id = PROGRAMME_AMOUNT_FACTS.get(programme)
    fact = facts.get(fact_id) if fact_id else None
    if fact is None or fact.confirmed:
        return rupiah(amount)
    return f"{rupiah(amount)} {CAVEAT.format(confirm_at=fact.confirm_at)}"
