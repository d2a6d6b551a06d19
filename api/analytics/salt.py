"""The salt of the conversation hashes, as the gateway knows it.

The consumer hashes Rasa's sender id (the gateway's conversation id) under AW_ANALYTICS_SALT;
the dashboard hashes the gateway's conversation ids under the same salt to join a
conversation's hand-offs and channel to the services its intents name. Without an explicit
salt the gateway derives one from its data key (AW_DATA_KEY; scripts/run keeps one), and
without either it uses a random salt for this process (local only: the join holds until a
restart).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import cache

from api.core.config import Settings


def analytics_salt(settings: Settings) -> bytes:
    explicit = settings.analytics_salt.get_secret_value()
    if explicit:
        return explicit.encode()
    key = settings.data_key.get_secret_value()
    if key:
        return hmac.new(key.encode(), b"asisten-warga analytics salt", hashlib.sha256).hexdigest().encode()
    return _process_salt()


@cache
def _process_salt() -> bytes:
    return os.urandom(32).hex().encode()
