"""Rasa NLU components for Indonesian: referenced from config.yml by their import path.

Importing them is also how the Rasa server loads our runtime fixes (bot.runtime).
"""

from bot import runtime

runtime.install()
