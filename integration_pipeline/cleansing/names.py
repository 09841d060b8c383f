"""Person and company names: one display form, and a matching key without the words that
differ between systems for the same customer (titles, legal forms)."""

import re

from integration_pipeline.cleansing.persian import matching_key, normalize_persian

# Legal-form and filler words, Persian and English, longest first so «سهامی خاص» goes whole.
LEGAL_FORMS = (
    "با مسئولیت محدود",
    "مسئولیت محدود",
    "سهامی خاص",
    "سهامی عام",
    "سهامی",
    "تعاونی",
    "شرکت",
    "موسسه",
    "مؤسسه",
    "گروه",
    "private joint stock company",
    "public joint stock company",
    "limited",
    "company",
    "corporation",
    "ltd",
    "gmbh",
    "inc",
    "llc",
    "plc",
    "pjsc",
    "pjs",
    "co",
    "corp",
)
TITLES = ("آقای", "آقا", "خانم", "دکتر", "مهندس", "mr", "mrs", "ms", "miss", "dr", "eng")
_PUNCTUATION = re.compile(r"[.,;:()\"'«»\-_/\\&]+")


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub(" ", normalize_persian(text).casefold()).split()


def _drop_phrases(words: list[str], phrases: tuple[str, ...]) -> list[str]:
    text = f" {' '.join(words)} "
    for phrase in sorted(phrases, key=len, reverse=True):
        text = text.replace(f" {phrase} ", " ")
        while f" {phrase} " in text:
            text = text.replace(f" {phrase} ", " ")
    return text.split()


def display_name(text: str | None) -> str | None:
    """Trimmed, one space, Persian letters unified; case kept (it is shown to people)."""
    if text is None:
        return None
    shown = normalize_persian(text)
    return shown or None


def person_key(first_name: str | None, last_name: str | None) -> str:
    """«آقای علي  كريمي» and «علی کریمی» → the same key."""
    words = _drop_phrases(_words(f"{first_name or ''} {last_name or ''}"), TITLES)
    return matching_key(" ".join(words))


def name_part_key(text: str | None) -> str:
    """One name part (first or last) as a matching key, titles dropped."""
    return matching_key(" ".join(_drop_phrases(_words(text or ""), TITLES)))


def company_key(name: str | None) -> str:
    """«شرکت نمونه‌ای صنعت (سهامی خاص)» and «نمونه ای صنعت» → the same key; so do
    "Pars Trading Co., Ltd." and "PARS TRADING"."""
    words = _drop_phrases(_words(name or ""), LEGAL_FORMS)
    return matching_key(" ".join(words))
