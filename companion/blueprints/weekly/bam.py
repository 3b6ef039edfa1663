"""The Brief Addiction Monitor (BAM), asked over the past 7 days: its 17 items, answer choices and three scores.

Sources:
- Cacciola JS, Alterman AI, DePhilippis D, Drapkin ML, Valadez C Jr, Fala NC, Oslin D, McKay JR. Development and
  initial evaluation of the Brief Addiction Monitor (BAM). J Subst Abuse Treat. 2013;44(3):256-263.
  doi:10.1016/j.jsat.2012.07.013 (PMC3602977): the 17 items, 30-day version.
- The VA's BAM form ("Brief Addiction Monitor (BAM)", VA "Volume 6: Patient Resources"; a copy is kept at
  github.com/jjcurtin/arc_measures, BAM/BAM.pdf): the item wording and the answer choices of items 1-7, and the
  day bands 0 / 1-3 / 4-8 / 9-15 / 16-30 of the 30-day version.
- DePhilippis D, Goodman J, Beamer K, Bloedorn S. Brief Addiction Monitor (BAM) Manual for Use in SUD Group
  Treatment (Philadelphia VAMC CESATE, draft 5-7-2014) and the VISN 4 MIRECC scoring notes: the composite scores,
  each item scored 0-4 -- Use = items 4+5+6 (0-12); Risk = items 1+2+3+8+11+15 (0-24); Protective = items
  9+10+12+13+14+16 (0-24); item 7 (7A-7G) elaborates item 6 and is not scored; item 17 is not in any score.
  Note that item 8 (cravings), not item 7, is the Risk item.

What could not be confirmed from a primary source here: the wording of items 8-17 comes from the VA form as
reproduced by several secondary sources that agree with one another, not from the form itself; and the weekly
(IOP) version's day bands. This version asks each day-count item as a number of days from 0 to 7 and scores it
one point a day up to 4 (0 days: 0; 1: 1; 2: 2; 3: 3; 4 to 7 days, more than half the week: 4), so that every
score keeps the published 0-4 range. That is our choice, not a published one, and not the 30-day bands' shares of
the period either: one day in 7 (14 %) would fall in the 30-day 4-8 band (2 points). The raw day counts are kept
as the answers, so a published weekly banding can be applied to them later. Item 7 is kept as the list of drugs used
(7A-7G) rather than a day count for each, and item 9 asks about the next 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DAYS = tuple(str(n) for n in range(8))  # "0".."7": days in the past 7
EXTENT = ("not_at_all", "slightly", "moderately", "considerably", "extremely")
HEALTH = ("excellent", "very_good", "good", "fair", "poor")
YES_NO = ("no", "yes")
DRUGS = ("marijuana", "sedatives", "cocaine", "stimulants", "opioids", "inhalants", "other")

CHOICE_LABELS = {
    "excellent": _l("Excellent"), "very_good": _l("Very good"), "good": _l("Good"), "fair": _l("Fair"),
    "poor": _l("Poor"), "not_at_all": _l("Not at all"), "slightly": _l("Slightly"), "moderately": _l("Moderately"),
    "considerably": _l("Considerably"), "extremely": _l("Extremely"), "no": _l("No"), "yes": _l("Yes"),
    **{d: d for d in DAYS},
}
DRUG_LABELS = {
    "marijuana": _l("Marijuana (cannabis, pot, weed)"),
    "sedatives": _l("Sedatives or tranquilizers (benzos, Valium, Xanax, Ativan, Ambien, barbs, downers)"),
    "cocaine": _l("Cocaine or crack"),
    "stimulants": _l("Other stimulants (amphetamine, methamphetamine, Adderall, Ritalin, speed, crystal meth)"),
    "opioids": _l("Opiates (heroin, morphine, Dilaudid, Oxycontin, Percocet, Vicodin, fentanyl, codeine)"),
    "inhalants": _l("Inhalants (glues, adhesives, nail polish remover, paint thinner)"),
    "other": _l("Other drugs (steroids, sleep or diet pills, Benadryl, other medicines not as prescribed)"),
}


@dataclass(frozen=True)
class Item:
    number: int
    text: object  # a lazy string
    choices: tuple[str, ...]
    scale: str | None  # use | risk | protective, or None for items 7 and 17


ITEMS = (
    Item(1, _l("In the past 7 days, would you say your physical health has been?"), HEALTH, "risk"),
    Item(2, _l("In the past 7 days, how many nights did you have trouble falling asleep or staying asleep?"), DAYS, "risk"),
    Item(3, _l("In the past 7 days, how many days have you felt depressed, anxious, angry or very upset throughout "
               "most of the day?"), DAYS, "risk"),
    Item(4, _l("In the past 7 days, how many days did you drink ANY alcohol?"), DAYS, "use"),
    Item(5, _l("In the past 7 days, how many days did you have at least 5 drinks (if you are a man) or at least 4 "
               "drinks (if you are a woman)? One drink is a shot of liquor (1.5 oz), a 12-oz can or bottle of beer, "
               "or a 5-oz glass of wine."), DAYS, "use"),
    Item(6, _l("In the past 7 days, how many days did you use any illegal or street drugs or misuse any prescription "
               "medications?"), DAYS, "use"),
    Item(7, _l("Which of these did you use in the past 7 days?"), DRUGS, None),
    Item(8, _l("In the past 7 days, how much were you bothered by cravings or urges to drink alcohol or use drugs?"),
         EXTENT, "risk"),
    Item(9, _l("How confident are you in your ability to be completely abstinent (clean) from alcohol and drugs in "
               "the next 7 days?"), EXTENT, "protective"),
    Item(10, _l("In the past 7 days, how many days did you attend self-help meetings like AA or NA to support your "
                "recovery?"), DAYS, "protective"),
    Item(11, _l("In the past 7 days, how many days were you in any situations or with any people that might put you "
                "at an increased risk for using alcohol or drugs (around risky people, places or things)?"), DAYS, "risk"),
    Item(12, _l("Does your religion or spirituality help support your recovery?"), EXTENT, "protective"),
    Item(13, _l("In the past 7 days, how many days did you spend much of the time at work, school, or doing volunteer "
                "work?"), DAYS, "protective"),
    Item(14, _l("Do you have enough income (from legal sources) to pay for necessities such as housing, "
                "transportation, food and clothing for yourself and your dependents?"), YES_NO, "protective"),
    Item(15, _l("In the past 7 days, how much have you been bothered by arguments or problems getting along with any "
                "family members or friends?"), EXTENT, "risk"),
    Item(16, _l("In the past 7 days, how many days were you in contact or spent time with any family members or "
                "friends who are supportive of your recovery?"), DAYS, "protective"),
    Item(17, _l("How satisfied are you with your progress toward achieving your recovery goals?"), EXTENT, None),
)
BY_NUMBER = {item.number: item for item in ITEMS}
SCALES = {"use": (4, 5, 6), "risk": (1, 2, 3, 8, 11, 15), "protective": (9, 10, 12, 13, 14, 16)}
MAXIMA = {"use": 12, "risk": 24, "protective": 24}


def day_points(days: int) -> int:
    """The 0-4 points of a number of days in the past 7 (see the module's note on the bands)."""
    return min(days, 4)


def points(number: int, code: str) -> int:
    """The 0-4 points of one scored item's answer."""
    item = BY_NUMBER[number]
    if item.choices is DAYS:
        return day_points(int(code))
    if item.choices is YES_NO:
        return 4 if code == "yes" else 0
    return item.choices.index(code)  # health: excellent 0 .. poor 4; extent: not at all 0 .. extremely 4


def scores(answers: dict[str, str]) -> dict[str, int]:
    """Use, Risk and Protective from checked answers (keys "1".."17")."""
    return {scale: sum(points(n, answers[str(n)]) for n in numbers) for scale, numbers in SCALES.items()}


def drugs_of(code: str) -> list[str]:
    """Item 7's answer, the drugs used joined by "+" (or "none"), as a list."""
    return [] if code in ("", "none") else code.split("+")


def check(answers) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Answers normalised (items 5 and 7 filled when their question was skipped), and the errors by item."""
    errors: dict[str, list[str]] = {}
    if not isinstance(answers, dict):
        return {}, {"answers": [str(_l("Give the answers as an object from \"1\" to \"17\"."))]}
    clean: dict[str, str] = {}
    extra = [key for key in answers if key not in {str(n) for n in BY_NUMBER}]
    for key in extra:
        errors.setdefault(f"answers.{key}"[:60], []).append(str(_l("There is no question with this number.")))
    for item in ITEMS:
        key = str(item.number)
        code = answers.get(key)
        if code is not None and not isinstance(code, str):
            errors.setdefault(f"answers.{key}", []).append(str(_l("Give the answer as text, like \"2\" or \"slightly\".")))
            continue
        if item.number == 5 and code in (None, "") and clean.get("4") == "0":
            code = "0"  # no drinking at all: no heavy drinking days either (the form skips the question)
        if item.number == 7:
            if clean.get("6") == "0":
                code = "none"  # no drug use: the form skips the question
            if code in (None, ""):
                errors.setdefault(f"answers.{key}", []).append(str(_l("Choose what you used, or none.")))
                continue
            chosen = drugs_of(code)
            if any(d not in DRUGS for d in chosen) or len(set(chosen)) != len(chosen):
                errors.setdefault(f"answers.{key}", []).append(str(_l("Choose from the list of drugs.")))
                continue
            clean[key] = "+".join(d for d in DRUGS if d in chosen) or "none"
            continue
        if code in (None, ""):
            errors.setdefault(f"answers.{key}", []).append(str(_l("Please answer this question.")))
        elif code not in item.choices:
            errors.setdefault(f"answers.{key}", []).append(str(_l("Choose one of the answers given.")))
        else:
            clean[key] = code
    if not errors and clean["4"] != "0" and int(clean["5"]) > int(clean["4"]):
        errors["answers.5"] = [str(_l("Heavy drinking days can't be more than the days you drank."))]
    if not errors and clean["4"] == "0" and clean["5"] != "0":
        errors["answers.5"] = [str(_l("With no days of drinking, there are no heavy drinking days."))]
    if not errors and clean["6"] != "0" and clean["7"] == "none":
        errors["answers.7"] = [str(_l("Choose what you used."))]
    return clean, errors
