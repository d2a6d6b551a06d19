"""Asisten Warga gateway: HTTP API in front of the Rasa assistant."""

__version__ = "0.1.0"
