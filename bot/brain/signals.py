"""Signals in a customer's words that a person should take over.

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
_COMPENSATION = re.compile(
    r"\b(?:odszkodowan\w*|zadoscuczynien\w*|rekompensat\w*|zrekompensowa\w*|"
    r"(?:rabat|znizk\w*|bon\w*) za (?:klopot|problem|fatyg)\w*|"
    r"(?:rabat|znizk|bon|voucher|kod)\w* (?:za|w ramach) (?:ten |to |te )?"
    r"(?:klopot|problem|opoznien|przeprosin|fatyg)\w*|"
    r"w ramach przeprosin|na oslode|(?:zaplac|pokryj|zwroc)\w* mi (?:za|koszt)\w*|"
    r"kto (?:mi )?(?:pokryje|zwroci|zaplaci)\b(?! (?:koszt\w* )?(?:odesl|wysyl|przesyl|dostaw|zwrot))|"
    r"strat\w*|oczekuj\w* (?:bonu|rabatu|znizki|rekompensat\w*|odszkodowan\w*|punktow)|zadam\w*|"
    r"reimburs\w*|as an apology|i demand|"
    r"compensat\w*|damages|make (?:it|this) up to me|goodwill|for the (?:hassle|trouble|inconvenience)|"
    r"(?:i expect|i want|i'?m owed|would be fair)\W.*(?:voucher|discount|reduction)|cover the cost)\b"
)
# Costs a customer paid out of pocket because of the trouble; asked back, they are a claim for
# compensation ("zwrot za taksówkę", "who pays for the spoiled food"), unlike the price of the goods.
_OUT_OF_POCKET = (
    r"(?:taksowk|taxi|uber|paliw|benzyn|fuel|petrol|dojazd|przejazd|bilet|parking|hotel|nocleg|pralni|laundr|"
    r"mechanik|hydraulik|plumber|elektryk|electrician|fachowc|serwis\w* zewn|wizyt|ekspertyz|"
    r"jedzeni|zywnosc|food|groceries|urlop|dzien wolny|day off|time off|nerw|wynajem|wypozycz|rental|"
    r"naprawy|naprawe|repair bill|cleaning|sprzatani)"
)
# Gestures of goodwill a customer asks for because of trouble.
_GOODWILL = (
    r"(?:rabat|znizk|upust|bon\b|bonu|bonik|voucher|kod\w* rabat|kod\w* promo|gratis|obnizk|discount|coupon|"
    r"credit|freebie|partial refund|czesciow\w* zwrot)"
)
_TROUBLE = (
    r"(?:klopot|problem|przygod|nerw|zamieszani|czekani|opoznieni|fatyg|stres|cyrk|balagan|burdel|stracon\w* czas|"
    r"trouble|hassle|inconvenience|waiting|delay|mess|stress|wasted time)"
)
_DETERMINERS = r"(?: (?:te|ten|to|ta|tyle|tak\w*|moj\w*|cal\w*|all|the|this|my|these|that))*"
_COMPENSATION_EXTRA = re.compile(
    # "zwrot kosztów wizyty w serwisie", "chcę zwrot za taksówkę", "oddajcie mi za paliwo"
    r"\b(?:zwrot\w*|zwroc(?:cie|ic|icie)|oddajcie|oddacie|pokry(?:jcie|c\w*|jecie)|zaplac(?:cie|ic|icie)|"
    r"refund\w*|reimburs\w*|pay me|pay (?:me )?back|you (?:to )?(?:pay|cover))"
    r"(?: \w+){0,4} (?:koszt\w* |za |for |the |my |of )?" + _OUT_OF_POCKET + r"|"
    # "oczekuję pokrycia kosztów naprawy", but not "proszę o zwrot kosztów przesyłki"
    r"\b(?:oczekuj|zadam|domagam|zadaj)\w* (?:\w+ )?(?:pokryci\w*|zwrot\w*) koszt\w*"
    r"(?! (?:\w+ )?(?:przesylk|wysylk|dostaw|odesl|zwrot|kurier))|"
    r"\bexpect you to (?:pay|cover|replace|refund)|"
    # "za te nerwy to chociaż bon", "a discount for all this waiting", "coś za fatygę"
    r"\b(?:za|for)" + _DETERMINERS + " " + _TROUBLE + r"\w*(?: \w+){0,6} "
    r"(?:chociaz|przynajmniej|" + _GOODWILL + r"|rekompens|zadoscuczyn|nalez)|"
    + _GOODWILL + r"\w*(?: \w+){0,4} (?:za|for)" + _DETERMINERS + " " + _TROUBLE + r"|"
    + _GOODWILL + r"\w*(?: \w+){0,4} za to,? ze|"
    r"\b(?:cos|something|some\w*|jakis\w*) (?:\w+ )?(?:za|for)" + _DETERMINERS + " " + _TROUBLE + r"|"
    + _GOODWILL + r"\w*(?: \w+){0,6} (?:after all this|after everything|po tym wszystkim)|"
    # "dajcie mi jakiś upust", "należałby się kod rabatowy", "chociaż bon", "I deserve a voucher"
    r"\b(?:dajcie|dacie|daj mi|dac mi|moglibyscie (?:mi )?dac|nalez\w*|chociaz|przynajmniej|give me|"
    r"i deserve|i'?m owed|at least|the least you)(?: \w+){0,4} " + _GOODWILL + r"|"
    + _GOODWILL + r"\w*(?: \w+){0,3} (?:by )?(?:sie )?(?:mi )?nalez\w*|"
    r"\b" + _GOODWILL + r"\w*(?: \w+){0,6} skoro\b|"
    r"\bnalez\w* (?:mi )?sie (?:cos (?:wiecej|extra|ekstra|za)|jakis|jakas|chociaz|przynajmniej|rekompens|"
    r"odszkod|zadoscuczyn|obnizk|rabat|upust|bon)|"
    # "who's going to pay for this?", "I want that covered"
    r"\bwho(?:'s| is)? (?:going to|gonna|will) (?:pay|cover|reimburse|refund)\b(?! (?:for )?(?:the )?"
    r"(?:return|shipping|delivery|postage|courier))|"
    r"\b(?:want|expect|need) (?:that|this|it|them|the cost|the bill|my costs?) (?:covered|paid|reimbursed)|"
    r"\bkto (?:mi )?(?:za (?:to|te|ten) )?(?:pokryje|zwroci|zaplaci|odda)\b"
    r"(?! (?:koszt\w* )?(?:odesl|wysyl|przesyl|dostaw|zwrot))"
)
_PUBLIC_COMPLAINT = re.compile(
    r"\b(?:"
    r"(?:opisz\w*|opublikuj\w*|wrzuc\w*|napisz\w*|nagłośni\w*|naglosni\w*) (?:to |o tym |wszystko )?"
    r"(?:na|w) (?:fb|facebook\w*|forum|fora|opini\w*|interne\w*|tiktok\w*|google|insta\w*)|"
    r"negatywn\w* (?:opini|recenzj|komentarz)\w*|wystawi\w* (?:wam )?(?:jedynk|zla opini|negatyw)\w*|"
    r"ceneo|opineo|trustpilot|1/5|(?:jedn\w*|1) gwiazd\w*|(?:one|1)[- ]star\w*|"
    r"bad review|(?:post|write|tweet)\w* (?:about|on) (?:this|you|it)|go public|social media"
    r")\b"
)


def asks_for_human(text: str) -> bool:
    folded = _folded(text)
    if _NEGATED_HUMAN.search(folded) or _CONTACT_INFO.search(folded) or _JOBS.search(folded):
        return False
    return bool(_HUMAN_REQUEST.search(folded))


def threatens_legal_action(text: str) -> bool:
    return bool(_LEGAL.search(_folded(text)))


def demands_compensation(text: str) -> bool:
    folded = _folded(text)
    return bool(_COMPENSATION.search(folded) or _COMPENSATION_EXTRA.search(folded))


def threatens_public_complaint(text: str) -> bool:
    return bool(_PUBLIC_COMPLAINT.search(_folded(text)))
