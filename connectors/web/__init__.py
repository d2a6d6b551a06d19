"""The web widget: its WebSocket channel (socket.py) and its static files (static/)."""
