"""The unambiguous signals that a person should take over: an explicit request for one, and
named legal steps. Everything else (anger, compensation, public complaints, security
incidents …) is learned (``bot.brain.escalation``): word lists written after looking at
held-out messages measured nothing but those messages.

Patterns run on lower-cased text with diacritics folded, so "człowiek" and
"czlowiek" match alike. Each function is a plain, tested decision.
"""

from __future__ import annotations

import re

from bot.core.text import fold_diacritics


def _folded(text: str) -> str:
    return fold_diacritics(text).lower()


_HUMAN_REQUEST = re.compile(
    r"\b(?:"
    r"czlowiek\w*|ko?n?s?ultant\w*|kon?s(?!ument)\w{1,5}nt\w*|pracownik\w*|przekieruj\w*|"
    r"ktos (?:zywy|prawdziwy)|anyone (?:alive|real|there)|operator\w*|moderator\w*|doradc\w*|kierownik\w*|przelozon\w*|"
    r"kogos (?:z|ze) \w+|(?:numer|telefon) do kogos|oddzwon\w*|"
    r"(?:zyw|prawdziw)\w* (?:osob|czlowiek|ktos)\w*|ktos zywy|ktokolwiek zywy|"
    r"(?:z|ze) (?:kims|osoba)\b|przelacz\w*|"
    r"human|real person|real people|live (?:agent|person|chat)|(?:an? |your )?agent|"
    r"representative|supervisor|(?:the|a|your) manager|someone real|someone from (?:your|the) \w+|call me back|"
    r"(?:an )?actual (?:person|human)|(?:want|need) a person|"
    r"(?:speak|talk) (?:to|with) (?:a |an )?(?:person|someone|consultant)|"
    r"transfer me|put me through|(?:a )?member of (?:staff|the team|your team)|staff member"
    r")\b"
)
# "nie chcę rozmawiać z konsultantem" and "no human needed" are not requests.
# "w jakich godzinach działa konsultant" asks for information, not for a person now.
_CONTACT_INFO = re.compile(r"\b(?:godzin\w*|jak (?:moge |mozna )?(?:sie )?skontaktowac)\b")
# "szukacie pracowników?" and "rekrutacja na konsultanta" are about jobs, not about talking to one.
_JOBS = re.compile(r"\b(?:prac[auy]|rekrutac\w*|zatrudni\w*|karier\w*|szukacie|hiring|jobs?|careers?|vacanc\w*)\b")
_NEGATED_HUMAN = re.compile(
    r"\b(?:nie (?:chce|potrzebuje|trzeba)|no need|don'?t (?:need|want)|not) \w*\s?\w*\s?"
    r"(?:czlowiek|konsultant|human|agent|person)"
)

_LEGAL = re.compile(
    r"\b(?:prawnik\w*|adwokat\w*|radc\w* prawn\w*|kancelari\w*|"
    r"sad(?:u|zie|em|owi|y|owy|owe|owej|owa|owo|ownie|owym)?|pozew|pozwu|pozwem|pozwe|pozwiemy|pozwac|pozwany|"
    r"uokik|rzeczni\w* (?:praw )?konsument\w*|inspekcj\w* handlow\w*|prokuratur\w*|policj\w*|"
    r"przedsadow\w*|wezwani\w* do zaplaty|uodo|(?:ustaw\w*|prawa?\w*) (?:o prawach )?konsumen\w*|"
    r"niezgodn\w* z prawem|europejski\w* centrum konsumenck\w*|rzecznik\w*|"
    r"zglos\w* (?:to )?(?:gdzie trzeba|odpowiednim|do (?:urzedu|inspekcji|prokurat|sadu))|"
    r"lawyer\w*|solicitor\w*|attorney\w*|court|sue|suing|lawsuit|legal action|litigation|ombudsman|"
    r"trading standards|trade inspection|small claims|consumer (?:rights|centre|center|protection)|gdpr complaint)\b"
)


def asks_for_human(text: str) -> bool:
    folded = _folded(text)
    if _NEGATED_HUMAN.search(folded) or _CONTACT_INFO.search(folded) or _JOBS.search(folded):
        return False
    return bool(_HUMAN_REQUEST.search(folded))


def threatens_legal_action(text: str) -> bool:
    return bool(_LEGAL.search(_folded(text)))
