"""Personal data stops at the gateway (docs/security.md#personal-data-at-the-gateway):
identifiers become per-conversation tokens before a message reaches Rasa, their originals
are kept encrypted in the gateway's vault, and only the gateway resolves a token."""
