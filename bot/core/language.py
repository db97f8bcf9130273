"""Tell Polish from English in short, informal customer messages.

Customers often type Polish without diacritics, so the decision rests on common
function words of each language, with Polish letters as a strong hint.
"""

from __future__ import annotations

from bot.core.text import words

Lang = str  # "pl" | "en"
DEFAULT_LANG: Lang = "pl"
POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")

_PL_WORDS = frozenset(
    """
    a aby ale bo by byc byl byla chce chcialbym chcialabym co czy dla do dzien dzieki
    dziekuje gdzie i ile jak jaki jakie jest juz kiedy ktory ma mam moge moj moja moje
    mozna mozecie na nie nic od po prosze przez sie siema sa ta tak to u w wam was
    we witam wy z za ze zamowienie zwrot paczka hej czesc dobry dzien dobry jeszcze
    mi mnie mojego mojej moim no oraz pan pani panstwo tez tylko wiec zeby
    """.split()
)
_EN_WORDS = frozenset(
    """
    a about am an and are can could do does for from get has have hello hey hi how i
    if in is it me my no not of on or order please return the thanks thank there to
    want was what when where which why will with would you your yes
    """.split()
)


def detect_lang(text: str, default: Lang = DEFAULT_LANG) -> Lang:
    """Return "pl" or "en"; ``default`` when the text gives no evidence."""
    if any(ch in POLISH_LETTERS for ch in text):
        return "pl"
    tokens = words(text)
    pl = sum(t in _PL_WORDS for t in tokens)
    en = sum(t in _EN_WORDS for t in tokens)
    if pl == en:
        return default
    return "pl" if pl > en else "en"
