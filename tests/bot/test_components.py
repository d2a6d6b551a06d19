"""Our NLU components inside a Rasa tokenizer pipeline, on real Message objects."""

import os

import pytest
import skops.io as sio
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.preprocessing import FunctionTransformer

from bot.nlu.entity_extractor import IdentifierEntityExtractor
from bot.nlu.linear_classifier import MODEL_FILE, LinearIntentClassifier
from bot.nlu.normalizer import IndonesianNormalizer


def tokenized(text):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message


def normalizer(**config):
    defaults = IndonesianNormalizer.get_default_config()
    return IndonesianNormalizer.create({**defaults, **config}, None, None, None)


def test_normalizer_sets_lemmas_and_keeps_text_and_offsets():
    message = tokenized("gmn cara perpanjangan SIM sy udh mati")
    before = [(t.text, t.start, t.end) for t in message.get(TOKENS_NAMES[TEXT])]
    normalizer().process([message])
    tokens = message.get(TOKENS_NAMES[TEXT])
    assert [(t.text, t.start, t.end) for t in tokens] == before
    assert [t.lemma for t in tokens] == ["bagaimana", "cara", "panjang", "sim", "saya", "sudah", "mati"]
    assert message.get(TEXT) == "gmn cara perpanjangan SIM sy udh mati"


def test_normalizer_processes_training_data():
    data = TrainingData([tokenized("pendaftaran kip kuliah kpn")])
    normalizer(stem=False).process_training_data(data)
    assert [t.lemma for t in data.training_examples[0].get(TOKENS_NAMES[TEXT])] == [
        "pendaftaran", "kip", "kuliah", "kapan"
    ]


def test_normalizer_ignores_messages_without_tokens():
    message = Message(data={"action_name": "utter_greet"})
    assert normalizer().process([message]) == [message]


def test_extractor_adds_entities_with_its_name():
    message = tokenized("cek bansos nik 3171 0117 0845 0001 di kab garut")
    IdentifierEntityExtractor.create({}, None, None, None).process([message])
    assert [(e["entity"], e["value"], e["extractor"]) for e in message.get(ENTITIES)] == [
        ("nik", "3171011708450001", "IdentifierEntityExtractor"),
        ("region", "Kabupaten Garut", "IdentifierEntityExtractor"),
    ]


def test_normalised_lemmas_change_the_fingerprint_rasa_caches_by():
    message = tokenized("gmn cara daftar")
    before = message.fingerprint()
    normalizer().process([message])
    assert message.fingerprint() != before


LINEAR_EXAMPLES = {
    "health_bpjs_status": ["cek status bpjs saya", "bpjs aktif gak", "kartu jkn masih aktif?", "status kis"],
    "police_skck": ["cara bikin skck", "syarat skck online", "skck berlaku berapa lama", "biaya skck"],
    "greet": ["halo", "selamat pagi", "hai min", "assalamualaikum"],
}


def linear_examples():
    messages = []
    for intent, texts in LINEAR_EXAMPLES.items():
        for text in texts:
            message = tokenized(text)
            message.set(INTENT, intent)
            messages.append(message)
    return normalizer(stem=False).process_training_data(TrainingData(messages))


def linear_classifier(storage, **config):
    config = {**LinearIntentClassifier.get_default_config(), **config}
    return LinearIntentClassifier.create(config, storage, Resource("linear"), None)


def test_linear_classifier_trains_persists_and_ranks(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = linear_classifier(storage, ranking_length=2).train(linear_examples())
    loaded = LinearIntentClassifier.load({"ranking_length": 2}, storage, resource, None)
    message = tokenized("gmn cara bkin skck")  # slang: the classifier reads the normaliser's lemmas
    normalizer(stem=False).process([message])
    loaded.process([message])
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT)["name"] == "police_skck"
    assert len(ranking) == 2 and ranking[0] == message.get(INTENT)
    assert ranking[0]["confidence"] > ranking[1]["confidence"] > 0


def test_linear_classifier_loads_its_weights_column_major_with_the_same_confidences(tmp_path):
    storage = LocalModelStorage(tmp_path)
    trained = linear_classifier(storage)
    resource = trained.train(linear_examples())
    loaded = LinearIntentClassifier.load({}, storage, resource, None)
    rankings = []
    for classifier in (trained, loaded):
        message = tokenized("saya mau bikin skck")
        normalizer(stem=False).process([message])
        classifier.process([message])
        rankings.append(message.get(INTENT_RANKING_KEY))
    assert loaded._model[-1].coef_.flags.f_contiguous  # no copy of the weights per message
    assert rankings[0] == rankings[1]


def test_linear_classifier_without_two_intents_sets_no_intent(tmp_path):
    data = TrainingData([tokenized("halo")])
    data.training_examples[0].set(INTENT, "greet")
    storage = LocalModelStorage(tmp_path)
    resource = linear_classifier(storage).train(data)
    message = tokenized("halo")
    LinearIntentClassifier.load({}, storage, resource, None).process([message])
    assert message.get(INTENT) is None


def test_linear_classifier_refuses_a_model_file_with_unexpected_types(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("tampered")
    with storage.write_to(resource) as directory:  # what a tampered model archive could hold
        sio.dump(FunctionTransformer(func=os.system), directory / MODEL_FILE)
    with pytest.raises(TypeError, match="unexpected types"):
        LinearIntentClassifier.load({}, storage, resource, None)


def test_sentence_embeddings_relate_meanings_that_share_no_letters():
    from bot.nlu.sentence_features import embed

    texts = ["berapa iuran bpjs kelas 3", "biaya bpjs kesehatan kelas tiga", "cuaca besok hujan"]
    iuran, biaya, cuaca = embed(texts)
    assert iuran.shape == (512,)
    assert abs(float(iuran @ iuran) - 1.0) < 1e-3  # L2-normalised
    assert float(iuran @ biaya) > float(iuran @ cuaca) + 0.3


def test_linear_classifier_with_sentence_embeddings_persists_and_loads_the_same_ranking(tmp_path):
    storage = LocalModelStorage(tmp_path)
    trained = linear_classifier(storage, sentence_embeddings=True)
    resource = trained.train(linear_examples())
    loaded = LinearIntentClassifier.load({"sentence_embeddings": True}, storage, resource, None)
    assert "sentence" in dict(loaded._model[0].transformer_list)  # the embeddings are in the model
    rankings = []
    for classifier in (trained, loaded):
        message = tokenized("gmn cara bkin skck")
        normalizer(stem=False).process([message])
        classifier.process([message])
        rankings.append(message.get(INTENT_RANKING_KEY))
    assert rankings[0][0]["name"] == "police_skck"
    assert rankings[0] == rankings[1]
