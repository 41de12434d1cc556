"""The field's vocabulary: how applicants and the guide name the same things.

Both sides go through `normalize`, so "LOI", "letters of intent" and "letter of
intent" meet, as do "PD" and "program director", "J-1" and "J1", "physiatry" and "PM&R".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from index.text import fold_typography

# (pattern, canonical words); patterns run on lower-cased, quote- and dash-folded text.
_CANONICAL: tuple[tuple[str, str], ...] = (
    (r"\bpds\b|\bpd\b|\bprogram directors?\b", "programdirector"),
    (r"\bpcs\b|\bpc\b|\bprogram coordinators?\b|\bcoordinators?\b", "programcoordinator"),
    (r"\blois\b|\bloi\b|\bletters? of intent\b|\bintent letters?\b", "letterofintent"),
    (r"\bloris\b|\bletters? of (?:strong |continued )?interest\b|\binterest letters?\b", "letterofinterest"),
    (
        r"\blors\b|\blor\b|\bletters? of recommendation\b|\brecommendation letters?\b|\breference letters?\b",
        "recommendationletter",
    ),
    (
        r"\bfmgs?\b|\bimgs\b|\bimg\b|\binternational (?:medical )?graduates?\b"
        r"|\bforeign (?:national )?(?:medical )?graduates?\b|\bforeign (?:doctors?|grads?)\b|\binternational grads?\b",
        "img",
    ),
    (
        r"\bpm ?& ?r\b|\bpm ?and ?r\b|\bpmnr\b|\bpmr\b|\bphysiatry\b|\bphysiatrists?\b"
        r"|\bphysical medicine (?:and|&) rehabilitation\b",
        "pmr",
    ),
    (r"\brehab\b", "rehabilitation"),
    (r"\busce\b|\bus clinical experiences?\b|\bclinical experience in the us\b", "usclinicalexperience"),
    (r"\beras\b", "eras application"),
    (r"\bnational resident matching program\b|\bnrmp\b", "nrmp"),
    (r"\brols?\b|\brank order lists?\b|\brank lists?\b|\brankings? lists?\b", "ranklist"),
    (r"\bj ?-? ?1\b", "j1visa"),
    (r"\bh ?-? ?1 ?-? ?b\b", "h1bvisa"),
    (r"\bthank ?-? ?you\b|\bthanks\b", "thankyou"),
    (r"\be ?-? ?mails?\b|\bemailing\b|\bemailed\b", "email"),
    (r"\bpre ?-? ?match\b|\bprematch\b", "prematch"),
    (r"#1\b|\bnumber one\b|\bno\. ?1\b|\b1st\b", "first"),
    (r"\bstep ?(\d)\b", r"step\1"),
    (r"\busmle\b|\bcomlex\b", "usmle"),
    (r"\binterviews?\b|\binterviewed\b|\binterviewing\b", "interview"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in _CANONICAL)

# Spelled-out forms for the dense model, which reads words better than abbreviations.
_EXPANSIONS = {
    "pd": "program director",
    "pds": "program directors",
    "pc": "program coordinator",
    "loi": "letter of intent",
    "lor": "letter of recommendation",
    "img": "international medical graduate",
    "imgs": "international medical graduates",
    "fmg": "foreign medical graduate",
    "usce": "US clinical experience",
    "rol": "rank order list",
    "pm&r": "physical medicine and rehabilitation",
    "physiatry": "PM&R",
}
_EXPANSION_RE = re.compile(r"(?<![\w&])(" + "|".join(re.escape(k) for k in _EXPANSIONS) + r")(?![\w&])", re.I)

_STOPWORDS_TEXT = """
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves s t ok okay may might must shall also get got let lets im
ive id dont doesnt cant wont isnt arent etc e g eg ie really thing things tell know want like guide say says said
anything something someone way ways ask asking asked
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_TOKEN = re.compile(r"[a-z0-9]+")
_stemmer = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """Lower-cased text with the field's synonyms and abbreviations in one canonical form."""
    text = fold_typography(unicodedata.normalize("NFKC", text)).lower()
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words of `text` after normalisation, in order (stop words dropped)."""
    return [_stem(w) for w in _TOKEN.findall(normalize(text)) if w not in STOPWORDS]


def expand_for_embedding(question: str) -> str:
    """The question with abbreviations spelled out beside them: "LOI (letter of intent)"."""
    return _EXPANSION_RE.sub(lambda m: f"{m.group(1)} ({_EXPANSIONS[m.group(1).lower()]})", question)
