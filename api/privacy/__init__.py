"""Personal data stops at the gateway (docs/security.md#personal-data-at-the-gateway):
identifiers become per-conversation tokens before a message reaches Rasa, their originals
are kept encrypted in the gateway's vault, and only the gateway resolves a token.

The citizen's rights under UU PDP 27/2022 (docs/privacy.md): the privacy notice, masking
of identifiers in the history, erasure ("Hapus data saya"), retention, and who viewed a
citizen's data. Below the core: imports api.models and the settings only."""

from __future__ import annotations

from dataclasses import dataclass

from api.privacy.tracker_db import TrackerDatabase


@dataclass(frozen=True)
class TurnPrivacy:
    """What a citizen's turn does for their rights (api/conversations/turn.py): the short
    notice before the first reply (None: off), and Rasa's tracker store to erase."""

    notice: str | None = None
    tracker: TrackerDatabase | None = None
    # Where citizens chat themselves: not an agent's assist session for a phone caller.
    notice_channels: frozenset[str] = frozenset({"web", "telegram", "whatsapp"})
