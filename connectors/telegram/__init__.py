"""Telegram (python-telegram-bot): webhook inside the gateway, or polling for local use."""
