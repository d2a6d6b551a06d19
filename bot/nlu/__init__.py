"""Rasa NLU components for Indonesian: referenced from config.yml by their import path."""
