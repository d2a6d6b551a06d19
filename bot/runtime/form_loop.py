"""Inside a form, the policies do not featurise a tracker whose next action is already decided.

On the happy path of a form (the form is active, was not rejected, and either has not run
since the latest event or has just run), Rasa 3.6's RulePolicy predicts the form, or
`action_listen` after it, as a prediction without user input (`is_no_user_prediction`), and
the ensemble (`DefaultPolicyPredictionEnsemble._pick_best_policy`) takes it over every other
policy's. TED and memoization still featurised the whole tracker for it (TED also ran its
network), and the RulePolicy matched its rules against the tracker's states before looking at
the form. Here, when none of Rasa's default actions applies (`/restart`, `/back`, ...):

- the RulePolicy returns its happy-path prediction without matching its rules first (the same
  prediction: the rules' result is used only when a default action applies);
- TED and memoization return their "no opinion" prediction (all zeros, what they return when
  they abstain), which the ensemble would have set aside anyway.

Only while a RulePolicy is loaded in this process: without one nothing decides the form's
next step but TED and memoization, which then run as before.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

_originals: dict[str, Any] = {}
_rule_policies_loaded = 0
enabled = True  # Rasa binds the policies' methods when it loads a model: tests switch here


def decided_by_form(tracker: DialogueStateTracker) -> str | None:
    """The action the RulePolicy predicts on the form's happy path, if the tracker is on it."""
    if RulePolicy._find_action_from_default_actions(tracker)[0] is not None:
        return None
    return RulePolicy._find_action_from_loop_happy_path(tracker)[0]


def rule_predict(
    self: RulePolicy, tracker: DialogueStateTracker, domain: Domain
) -> tuple[PolicyPrediction, Any]:
    """`RulePolicy._predict`, answering the form's happy path first."""
    action, source = RulePolicy._find_action_from_loop_happy_path(tracker)
    if enabled and action and RulePolicy._find_action_from_default_actions(tracker)[0] is None:
        probabilities = self._prediction_result(action, tracker, domain)
        return self._rule_prediction(probabilities, source, is_no_user_prediction=True), source
    return _originals["rule_predict"](self, tracker, domain)


def _abstaining(name: str) -> Any:
    def predict_action_probabilities(
        self: TEDPolicy | MemoizationPolicy,
        tracker: DialogueStateTracker,
        domain: Domain,
        *args: Any,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if enabled and _rule_policies_loaded and decided_by_form(tracker) is not None:
            return self._prediction(self._default_predictions(domain))
        return _originals[name](self, tracker, domain, *args, **kwargs)

    return predict_action_probabilities


def _counting_rule_init(self: RulePolicy, *args: Any, **kwargs: Any) -> None:
    global _rule_policies_loaded
    _originals["rule_init"](self, *args, **kwargs)
    _rule_policies_loaded += 1


def install() -> None:
    if not _originals:  # Rasa's own methods, also when installed again
        _originals.update(
            rule_predict=RulePolicy._predict,
            rule_init=RulePolicy.__init__,
            ted=TEDPolicy.predict_action_probabilities,
            memo=MemoizationPolicy.predict_action_probabilities,
        )
    RulePolicy._predict = rule_predict  # type: ignore[method-assign]
    RulePolicy.__init__ = _counting_rule_init  # type: ignore[method-assign]
    TEDPolicy.predict_action_probabilities = _abstaining("ted")  # type: ignore[method-assign]
    MemoizationPolicy.predict_action_probabilities = _abstaining("memo")  # type: ignore[method-assign]
