"""Persian text as one spelling: Persian letters, ASCII digits, no diacritics, one space.

A `str.translate` table rather than an NLP library (STACK.md: hazm pins old numpy, pulls
~290 MB and turns ASCII digits into Persian ones, the opposite of what matching needs).
"""

import re
import unicodedata

ZWNJ = "\u200c"
_DIGITS = {
    **{c: str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")},
    **{c: str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")},
}
_LETTERS = {
    "ي": "ی",  # Arabic yeh
    "ى": "ی",  # alef maksura
    "ك": "ک",  # Arabic kaf
    "ة": "ه",  # teh marbuta
    "ۀ": "ه",  # heh with hamza: the hamza is a mark like the others
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
}
# Short vowels and other marks (fatha … sukun, superscript alef, hamza above) and tatweel.
_MARKS = {chr(c): None for c in (*range(0x064B, 0x0653), 0x0670, 0x0654, 0x0640)}
_ZERO_WIDTH = {"\u200b": None, "\u200d": None, "\u200e": None, "\u200f": None, "\ufeff": None}
_TABLE = str.maketrans({**_DIGITS, **_LETTERS, **_MARKS, **_ZERO_WIDTH})
_SPACES = re.compile(r"\s+")
_ZWNJ_RUN = re.compile(rf"\s*{ZWNJ}[\s{ZWNJ}]*")


def ascii_digits(text: str) -> str:
    """Persian (۰–۹) and Arabic-Indic (٠–٩) digits as ASCII."""
    return text.translate(str.maketrans(_DIGITS))


def normalize_persian(text: str) -> str:
    """One written form of the same Persian (or mixed) text: NFC, Arabic letter forms as
    Persian, diacritics and tatweel removed, digits ASCII, whitespace collapsed, a zero-width
    non-joiner kept once between letters (as in «می‌خواهم») and dropped elsewhere."""
    text = unicodedata.normalize("NFC", text).translate(_TABLE)
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    text = _SPACES.sub(" ", text).strip()
    return text.strip(ZWNJ).replace(f" {ZWNJ}", " ").replace(f"{ZWNJ} ", " ")


def matching_key(text: str) -> str:
    """For comparing, not for showing: `normalize_persian`, lower case, without the
    non-joiner and spaces (people type «می خواهم», «میخواهم» and «می‌خواهم» for one word)."""
    return _SPACES.sub("", normalize_persian(text).replace(ZWNJ, "")).casefold()
