"""Numbers written as words, English and Arabic: cardinals and ordinals 1..60 (the hizb count).

Word forms are normalised the way ``quran.names.normalize`` leaves them (hamza forms → ا, ة → ه,
ى → ي, no tashkeel). Compounds ("twenty first", "الحادي عشر", "الخامس والعشرون", "خمسة عشر") are
joined by the parser from these single words: a unit word followed by a tens word.
"""

from __future__ import annotations

_EN_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_EN_TEENS = [
    *("ten", "eleven", "twelve", "thirteen", "fourteen"),
    *("fifteen", "sixteen", "seventeen", "eighteen", "nineteen"),
]
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60}
_EN_ORD_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_EN_ORD_TEENS = [
    *("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth"),
    *("fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"),
]
_EN_ORD_TENS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60}

# Arabic ordinals 1..10, masculine and feminine, with and without the article. الحادي is the "first"
# of compounds (الحادي عشر, الحادي والعشرون).
_AR_ORD_UNITS = {
    1: "اول اولي حادي حاديه",
    2: "ثاني ثانيه",
    3: "ثالث ثالثه",
    4: "رابع رابعه",
    5: "خامس خامسه",
    6: "سادس سادسه",
    7: "سابع سابعه",
    8: "ثامن ثامنه",
    9: "تاسع تاسعه",
    10: "عاشر عاشره",
}
_AR_TENS = {20: "عشرون عشرين", 30: "ثلاثون ثلاثين", 40: "اربعون اربعين", 50: "خمسون خمسين", 60: "ستون ستين"}
_AR_CARDINAL_UNITS = {
    1: "واحد واحده احد احدي",
    2: "اثنان اثنين اثنتان اثنتين اثنا اثني اثنتا",
    3: "ثلاث ثلاثه",
    4: "اربع اربعه",
    5: "خمس خمسه",
    6: "ست سته",
    7: "سبع سبعه",
    8: "ثمان ثماني ثمانيه",
    9: "تسع تسعه",
}
#: Arabic "ten" words: alone they are 10, after a unit word they make a teen (خمسة عشر, الخامس عشر).
AR_TEN = frozenset({"عشر", "عشره"})

ORDINALS: dict[str, int] = {"last": 0, "الاخير": 0, "الاخيره": 0, "اخير": 0}
CARDINALS: dict[str, int] = {}
#: Tens words (20, 30 ...) that a following unit word adds to.
TENS: frozenset[str]

for _i, _w in enumerate(_EN_UNITS, 1):
    CARDINALS[_w] = _i
for _i, _w in enumerate(_EN_TEENS, 10):
    CARDINALS[_w] = _i
CARDINALS.update(_EN_TENS)
for _i, _w in enumerate(_EN_ORD_UNITS, 1):
    ORDINALS[_w] = _i
for _i, _w in enumerate(_EN_ORD_TEENS, 10):
    ORDINALS[_w] = _i
ORDINALS.update(_EN_ORD_TENS)
for _v, _ws in _AR_ORD_UNITS.items():
    for _w in _ws.split():
        ORDINALS[_w] = _v
        ORDINALS["ال" + _w] = _v
for _v, _ws in _AR_TENS.items():
    for _w in _ws.split():
        CARDINALS[_w] = _v
        ORDINALS["ال" + _w] = _v  # العشرون, الثلاثين: ordinals (the tens have no separate ordinal form)
for _v, _ws in _AR_CARDINAL_UNITS.items():
    for _w in _ws.split():
        CARDINALS[_w] = _v
for _w in AR_TEN:
    CARDINALS[_w] = 10

TENS = frozenset(
    [*_EN_TENS, *_EN_ORD_TENS]
    + [w for ws in _AR_TENS.values() for w in ws.split()]
    + ["ال" + w for ws in _AR_TENS.values() for w in ws.split()]
)
