"""`python -m bot.server run|shell ...`: Rasa's own command line, started with our runtime fixes.

scripts/run and scripts/shell start Rasa through this module. It registers a plugin with Rasa's
plugin manager (`rasa.plugin`, pluggy) and hands over to Rasa's `main`. Once Rasa has read the
command line and set up its logging, the plugin's `configure_commandline`:

- installs bot.runtime (checking the Rasa version, with a log line);
- for `run` and `shell`, refuses a model that would answer wrongly: one without dialogue
  policies (an NLU-only model, as `rasa train` writes when it finds no domain), or one older
  than a file `rasa train` reads (config.yml, domain/, data/; `make train` rewrites the model
  each time, even when nothing changed);
- for `run` and `shell`, refuses endpoints that Rasa would read and then ignore or replace
  (bot/endpoint_checks.py): without the fact registry's response generator, a store type that
  does not import, a key a store does not take, a Redis lock prefix that is not alphanumeric.

A plain `rasa run` gives the same answers, without the fixes and without the checks.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pluggy
from rasa import __main__ as rasa_main
from rasa.cli import run as rasa_run
from rasa.cli import shell as rasa_shell
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.model import get_local_model
from rasa.plugin import plugin_manager
from rasa.shared.constants import DEFAULT_MODELS_PATH
from rasa.shared.data import TrainingType
from rasa.shared.exceptions import RasaException

from bot import runtime
from bot.endpoint_checks import check_endpoints

logger = logging.getLogger("bot.server")  # by name: run with -m, this module is __main__
hookimpl = pluggy.HookimplMarker("rasa")

SERVER_COMMANDS = (rasa_run.run, rasa_shell.shell)  # `rasa run`, `rasa shell`; not `run actions`
WITH_DIALOGUE = (TrainingType.BOTH, TrainingType.END_TO_END)
TRAINING_INPUTS = ("config.yml", "domain", "data")  # what `rasa train` reads, in the working directory


class ModelWithoutDialogue(RasaException):
    """The model to serve was trained without dialogue policies."""


class ModelOutOfDate(RasaException):
    """A file the model is trained from changed after the model was written."""


def changed_since(model: Path, project: Path) -> list[Path]:
    """The training inputs of `project` written after `model`."""
    written = model.stat().st_mtime
    inputs = [project / name for name in TRAINING_INPUTS]
    files = [path for start in inputs for path in (start, *start.rglob("*")) if path.is_file()]
    return sorted(path for path in files if path.stat().st_mtime > written)


def check_model(model_path: str, project: Path = Path()) -> str:
    """The model Rasa will load from `model_path` (a file, or the newest in a folder), if it
    understands, answers and is trained from the current `project`; else a `RasaException`."""
    model = get_local_model(model_path)
    metadata = LocalModelStorage.metadata_from_archive(model)
    if metadata.training_type not in WITH_DIALOGUE:
        raise ModelWithoutDialogue(
            f"{model} was trained without dialogue ({metadata.training_type.model_type} only): "
            "the assistant would not answer. Train the whole model with `make train`."
        )
    changed = changed_since(Path(model), project)
    if changed:
        more = f" and {len(changed) - 1} more files" if len(changed) > 1 else ""
        raise ModelOutOfDate(
            f"{changed[0]}{more} changed after {model} was written. Train it again with `make train`."
        )
    logger.info("Serving %s, trained at %s.", model, metadata.trained_at.isoformat(timespec="seconds"))
    return model


@hookimpl  # type: ignore[misc]
def configure_commandline(cmdline_arguments: argparse.Namespace) -> None:
    """Rasa's hook once the command line is parsed and logging is set up."""
    # Our loggers log at the level Rasa's do (--debug, --quiet), whatever a library later sets the root to.
    logging.getLogger("bot").setLevel(logging.getLogger("rasa").level)
    runtime.install()
    if getattr(cmdline_arguments, "func", None) in SERVER_COMMANDS:
        check_model(cmdline_arguments.model or DEFAULT_MODELS_PATH)
        check_endpoints(getattr(cmdline_arguments, "endpoints", None))


def main() -> None:
    plugin_manager().register(sys.modules[__name__])
    rasa_main.main()


if __name__ == "__main__":
    main()
