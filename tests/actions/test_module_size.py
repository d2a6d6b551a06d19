"""The action server stays thin: no module over 400 lines (issue 15). A module that grows
past it is split by feature, as identity.py was."""

from pathlib import Path

ACTIONS = Path(__file__).resolve().parents[2] / "actions"
LIMIT = 400


def test_no_action_module_is_over_the_limit():
    sizes = {path.name: len(path.read_text().splitlines()) for path in ACTIONS.glob("*.py")}
    assert sizes, "no action modules found"
    assert {name: lines for name, lines in sizes.items() if lines > LIMIT} == {}
