"""The Asisten Warga action server package.

One small module per concern; `rasa run actions --actions actions` registers every Action
subclass found here (rasa-sdk's `ActionExecutor.register_package`). Nothing is read or
connected at import time.
"""
