"""Our NLU components inside a Rasa tokenizer pipeline, on real Message objects."""

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.entity_extractor import IdentifierEntityExtractor
from bot.nlu.normalizer import IndonesianNormalizer


def tokenized(text):
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message


def normalizer(**config):
    return IndonesianNormalizer.create({**IndonesianNormalizer.get_default_config(), **config}, None, None, None)


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
