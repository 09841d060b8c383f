"""The dirt real systems carry, applied on purpose so cleansing has something to prove.

Each function takes a clean value and a random generator and returns how a person might have
typed the same value into one system. Nothing here invents a different customer: a variant
must still be the same real-world value once normalised.
"""

import random

ZWNJ = "\u200c"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})


def arabic_letters(text: str) -> str:
    """Persian ی/ک typed with an Arabic keyboard layout as ي/ك."""
    return text.translate(_TO_ARABIC_LETTERS)


def to_digits(text: str, digits: str) -> str:
    return "".join(digits[int(c)] if c.isascii() and c.isdigit() else c for c in text)


def zwnj_variant(text: str, rng: random.Random) -> str:
    """Drop the zero-width non-joiner, or write a space where it stood."""
    if ZWNJ not in text:
        return text
    return text.replace(ZWNJ, rng.choice(["", " "]))


def persian_text_variant(text: str, rng: random.Random) -> str:
    if rng.random() < 0.4:
        text = arabic_letters(text)
    if rng.random() < 0.5:
        text = zwnj_variant(text, rng)
    if rng.random() < 0.15:
        text = f" {text}  "
    if rng.random() < 0.1:
        text = text.replace(" ", "  ", 1)
    return text


def english_text_variant(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return text.upper()
    if roll < 0.3:
        return text.lower()
    if roll < 0.4:
        return f" {text} "
    return text


def iran_phone_variant(e164: str, rng: random.Random) -> str:
    """+989121234567 written as +98 912..., 0098..., 0912..., with spaces, in Persian digits."""
    national = e164.removeprefix("+98")
    form = rng.choice(["e164", "spaced", "0098", "local", "local_spaced", "local_dashed"])
    text = {
        "e164": e164,
        "spaced": f"+98 {national[:3]} {national[3:6]} {national[6:]}",
        "0098": f"0098{national}",
        "local": f"0{national}",
        "local_spaced": f"0{national[:3]} {national[3:6]} {national[6:]}",
        "local_dashed": f"0{national[:3]}-{national[3:]}",
    }[form]
    roll = rng.random()
    if roll < 0.2:
        text = to_digits(text, PERSIAN_DIGITS)
    elif roll < 0.3:
        text = to_digits(text, ARABIC_INDIC_DIGITS)
    return text


def email_variant(email: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        local, domain = email.split("@")
        return f"{local.capitalize()}@{domain.upper()}"
    if roll < 0.35:
        return f" {email} "
    return email


def invalid_email(email: str, rng: random.Random) -> str:
    """A typo that makes the address unusable (the cleansing must flag it, not fix it)."""
    local, domain = email.split("@")
    return rng.choice([f"{local}{domain}", f"{local}@{domain.split('.')[0]}", f"{local}@@{domain}"])


def typo_email(email: str, rng: random.Random) -> str:
    """Two neighbouring letters of the local part swapped: still an address, a wrong one."""
    local, domain = email.split("@")
    if len(local) < 3:
        return f"{local}{local[-1]}@{domain}"
    i = rng.randrange(len(local) - 1)
    swapped = local[:i] + local[i + 1] + local[i] + local[i + 2 :]
    return f"{(swapped if swapped != local else local + local[-1])}@{domain}"


def digits_variant(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return to_digits(text, PERSIAN_DIGITS)
    if roll < 0.3:
        return to_digits(text, ARABIC_INDIC_DIGITS)
    if roll < 0.4 and len(text) == 10:
        return f"{text[:5]}-{text[5:]}"
    return text
