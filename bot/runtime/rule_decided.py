"""Where a rule has decided the next action, TED and memoization do not run.

The ensemble (`DefaultPolicyPredictionEnsemble._pick_best_policy`) takes the prediction with
the highest (confidence, priority). When a rule applies, Rasa 3.6's RulePolicy predicts its
action with confidence 1.0 at priority 4, which neither memoization (priority 3) nor TED
(priority 1) can beat with confidences of at most 1.0; only an end-to-end prediction (one
from the message's text) or a prediction without user input would be taken over it, and the
two policies here make neither (TED only from text features, which a model trained on stories
without user text does not have: checked on each loaded TED). Yet both still featurised the
tracker, and TED ran its network, on every such turn: 22% and 6% of the Rasa server's busy
time (bench/findings.md, round 8), on turns where their answer was set aside.

Here the RulePolicy's prediction is kept for the tracker it was made for (the same object with
the same number of events: the graph runs the three policies one after the other on one
tracker, with nothing in between), and TED and memoization, when they find it decided with
confidence 1.0 by a policy of higher priority, return the "no opinion" prediction (all zeros,
what they return when they abstain) instead of computing one that cannot win. Not after a
rejected action: the ensemble then zeroes that action in every prediction, and the rule's
confidence may fall. Where the rules abstain (the RulePolicy's fallback at 0.3), TED and
memoization run as before.

It saves their work only when the graph runs the RulePolicy first, which Rasa's graph of this
config does (tests/bot/test_rule_decided.py checks it on the trained model); in any other order
they simply run as before.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

_originals: dict[str, Any] = {}
enabled = True  # Rasa binds the policies' methods when it loads a model: tests switch here
# The latest RulePolicy prediction: (tracker, its number of events, domain, prediction).
_latest: tuple[DialogueStateTracker, int, Domain, PolicyPrediction] | None = None


def rule_predict_action_probabilities(
    self: RulePolicy, tracker: DialogueStateTracker, domain: Domain, *args: Any, **kwargs: Any
) -> PolicyPrediction:
    """`RulePolicy.predict_action_probabilities`, keeping its prediction for the other policies."""
    global _latest
    prediction: PolicyPrediction = _originals["rule"](self, tracker, domain, *args, **kwargs)
    _latest = (tracker, len(tracker.events), domain, prediction)
    return prediction


def decided_by_rule(policy: Policy, tracker: DialogueStateTracker, domain: Domain) -> bool:
    """Whether the RulePolicy's prediction for this very tracker wins over any `policy` can make."""
    if _latest is None:
        return False
    rule_tracker, events, rule_domain, prediction = _latest
    if rule_tracker is not tracker or events != len(tracker.events) or rule_domain is not domain:
        return False  # not (yet) predicted for this tracker
    if prediction.max_confidence < 1.0 or prediction.policy_priority <= policy.priority:
        return False
    if isinstance(policy, TEDPolicy) and TEXT in getattr(policy, "fake_features", {TEXT: None}):
        return False  # a TED with text features may predict end to end, which the ensemble prefers
    last_action = next(
        (e for e in reversed(tracker.events) if isinstance(e, (ActionExecutionRejected, ActionExecuted))),
        None,
    )
    return not isinstance(last_action, ActionExecutionRejected)


def _abstaining(name: str) -> Any:
    def predict_action_probabilities(
        self: TEDPolicy | MemoizationPolicy,
        tracker: DialogueStateTracker,
        domain: Domain,
        *args: Any,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if enabled and decided_by_rule(self, tracker, domain):
            return self._prediction(self._default_predictions(domain))
        return _originals[name](self, tracker, domain, *args, **kwargs)

    return predict_action_probabilities


def install() -> None:
    if not _originals:  # the methods as installed before this fix (form_loop's), also when installed again
        _originals.update(
            rule=RulePolicy.predict_action_probabilities,
            ted=TEDPolicy.predict_action_probabilities,
            memo=MemoizationPolicy.predict_action_probabilities,
        )
    RulePolicy.predict_action_probabilities = rule_predict_action_probabilities  # type: ignore[method-assign]
    TEDPolicy.predict_action_probabilities = _abstaining("ted")  # type: ignore[method-assign]
    MemoizationPolicy.predict_action_probabilities = _abstaining("memo")  # type: ignore[method-assign]
