"""Who the citizen in a conversation is (the identity helper of issue #16 owns this package)."""
