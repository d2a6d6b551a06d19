"""Our Rasa-side code: NLU components (bot.nlu) and citizen-identifier logic shared with the actions.

Modules at this level are pure Python (no Rasa imports), so the action server and tests can use them.
"""
