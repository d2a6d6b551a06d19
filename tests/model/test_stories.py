"""Dialogue test stories (tests/stories/) against the trained model."""

from tests.model.conftest import rasa


def test_stories_pass_without_prediction_errors(model, tmp_path):
    run = rasa(
        "test", "core", "--stories", "tests/stories", "--model", str(model),
        "--fail-on-prediction-errors", "--out", str(tmp_path),
    )
    failed = tmp_path / "failed_test_stories.yml"
    assert run.returncode == 0, failed.read_text() if failed.exists() else run.stderr[-3000:]
