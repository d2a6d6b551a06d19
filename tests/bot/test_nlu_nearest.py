"""NearestIntents (bot/nlu/sentence_features.py) and the classifier that uses it (round 8)."""

import numpy as np
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY

from bot.nlu.linear_classifier import LinearIntentClassifier
from bot.nlu.sentence_features import NearestIntents, embed
from tests.bot.test_components import linear_classifier, linear_examples, normalizer, tokenized

TEXTS = ["berapa iuran bpjs kelas 3", "biaya skck berapa", "syarat bikin skck", "halo selamat pagi"]
INTENTS = ["health_bpjs_contribution", "police_skck", "police_skck", "greet"]


def test_a_training_text_is_not_its_own_nearest_neighbour_while_fitting():
    features = NearestIntents().fit_transform(TEXTS, INTENTS).toarray()
    column = {intent: k for k, intent in enumerate(sorted(set(INTENTS)))}
    skck = column["police_skck"]
    # "biaya skck berapa" sees only the other skck sentence, not itself
    assert features[1, skck] < 0.99
    assert np.isclose(features[1, skck], float(embed(TEXTS[1:2])[0] @ embed(TEXTS[2:3])[0]), atol=1e-4)
    # an intent with a single example has no other example to be near while fitting
    assert features[0, column["health_bpjs_contribution"]] == -1.0


def test_a_new_message_scores_each_intent_by_its_closest_example():
    nearest = NearestIntents(weight=2.0).fit(TEXTS, INTENTS)
    features = nearest.transform(["iuran bpjs kelas tiga berapa", "berapa iuran bpjs kelas 3"]).toarray()
    column = {intent: k for k, intent in enumerate(sorted(set(INTENTS)))}
    contribution = features[:, column["health_bpjs_contribution"]]
    assert contribution[0] == features[0].max()  # its closest sentence is the contribution one
    assert np.isclose(contribution[1], 2.0, atol=1e-3)  # the same sentence: similarity 1, weighted 2


def test_classifier_with_nearest_intents_persists_and_loads_the_same_ranking(tmp_path):
    storage = LocalModelStorage(tmp_path)
    config = {"sentence_embeddings": True, "nearest_intents": 1.0}
    trained = linear_classifier(storage, **config)
    resource = trained.train(linear_examples())
    loaded = LinearIntentClassifier.load(config, storage, resource, None)
    assert "nearest" in dict(loaded._model[0].transformer_list)  # refused types would raise here
    rankings = []
    for classifier in (trained, loaded):
        message = tokenized("gmn cara bkin skck")
        normalizer(stem=False).process([message])
        classifier.process([message])
        rankings.append(message.get(INTENT_RANKING_KEY))
        assert message.get(INTENT)["name"] == "police_skck"
    assert [r["name"] for r in rankings[0]] == [r["name"] for r in rankings[1]]
    assert np.allclose([r["confidence"] for r in rankings[0]], [r["confidence"] for r in rankings[1]])


def test_the_prediction_fast_path_gives_scikit_learns_probabilities(tmp_path):
    from bot.nlu.linear_classifier import probabilities_of

    storage = LocalModelStorage(tmp_path)
    config = {"sentence_embeddings": True, "nearest_intents": 1.0}
    resource = linear_classifier(storage, **config).train(linear_examples())
    model = LinearIntentClassifier.load(config, storage, resource, None)._model
    texts = ["cara bikin skck", "halo min", "bpjs saya masih aktif ga", "resep nasi goreng"]
    fast = probabilities_of(model, texts)
    assert np.allclose(fast, model.predict_proba(texts), atol=1e-6)
    assert np.allclose(fast.sum(axis=1), 1.0)
