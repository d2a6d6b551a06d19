"""The Asisten Warga action server package.

One small module per concern; `rasa run actions --actions actions` registers every Action
subclass found here (rasa-sdk's `ActionExecutor.register_package`). Each derives from the bases
in `conversation.py`, so that its gateway calls name their conversation. Nothing is read or
connected at import time.
"""
