"""Intent and out-of-scope scores computed the same way for every system, from its
per-message predictions (the top intent and its confidence, before any fallback)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Prediction:
    intent: str  # the true intent
    predicted: str  # the top intent, before any fallback
    confidence: float


def scores(predictions: list[Prediction], fallback_threshold: float) -> dict[str, Any]:
    """Accuracy, macro-F1, per-intent precision/recall/F1/support, and out-of-scope handling.

    An out-of-scope message is *caught* when the system would not answer it as an in-scope
    intent: its top intent is `out_of_scope`, or the top confidence is below the system's
    fallback threshold (Rasa's FallbackClassifier then predicts `nlu_fallback`). The same rule
    applied to in-scope messages gives the false alarms: in-scope messages that would be
    answered as out of scope or with the fallback.
    """
    truth = [p.intent for p in predictions]
    predicted = [p.predicted for p in predictions]
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    per_intent = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }

    def caught(p: Prediction) -> bool:
        return p.predicted == OUT_OF_SCOPE or p.confidence < fallback_threshold

    out_of_scope = [p for p in predictions if p.intent == OUT_OF_SCOPE]
    in_scope = [p for p in predictions if p.intent != OUT_OF_SCOPE]
    return {
        "examples": len(predictions),
        "correct": sum(t == p for t, p in zip(truth, predicted, strict=True)),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1.mean()),
        "per_intent": per_intent,
        "out_of_scope": {
            "fallback_threshold": fallback_threshold,
            "messages": len(out_of_scope),
            "caught": sum(map(caught, out_of_scope)),
            "predicted_out_of_scope": sum(p.predicted == OUT_OF_SCOPE for p in out_of_scope),
            "in_scope_messages": len(in_scope),
            "in_scope_caught": sum(map(caught, in_scope)),
        },
    }


def confusion(predictions: list[Prediction]) -> dict[str, Any]:
    """The confusion matrix (rows: true intent, columns: predicted) with its labels."""
    labels = sorted({p.intent for p in predictions} | {p.predicted for p in predictions})
    matrix = confusion_matrix(
        [p.intent for p in predictions], [p.predicted for p in predictions], labels=labels
    )
    return {"labels": labels, "matrix": matrix.tolist()}


def to_json(predictions: list[Prediction]) -> list[dict[str, Any]]:
    return [asdict(p) for p in predictions]
