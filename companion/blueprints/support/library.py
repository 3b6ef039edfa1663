"""Fixed content: fellowships and services, crisis lines, meeting type names, safety-plan steps."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

FELLOWSHIPS = [
    {
        "slug": "aa",
        "name": _l("Alcoholics Anonymous (AA)"),
        "url": "https://www.aa.org/",
        "description": _l("A fellowship of people who share their experience, strength and hope to stay sober "
                       "and help others recover from alcoholism, through the Twelve Steps. Meetings are free, "
                       "held in person and online, and open to anyone with a desire to stop drinking."),
    },
    {
        "slug": "na",
        "name": _l("Narcotics Anonymous (NA)"),
        "url": "https://na.org/",
        "description": _l("A Twelve Step fellowship for people recovering from drug addiction, whatever the "
                       "drug. Members meet regularly to help each other stay clean. Meetings are free and "
                       "held around the world, in person and online."),
    },
    {
        "slug": "smart",
        "name": _l("SMART Recovery"),
        "url": "https://smartrecovery.org/",
        "description": _l("Self-Management and Recovery Training: free mutual-help meetings built on "
                       "science-based tools such as CBT and motivational interviewing. It does not use "
                       "the Twelve Steps, and welcomes people with any addictive behaviour."),
    },
    {
        "slug": "al-anon",
        "name": _l("Al-Anon Family Groups"),
        "url": "https://al-anon.org/",
        "description": _l("For families and friends of people whose drinking worries them. Members share "
                       "their experience and support each other, whether or not their loved one is "
                       "still drinking. Alateen is part of Al-Anon, for young people."),
    },
    {
        "slug": "nar-anon",
        "name": _l("Nar-Anon Family Groups"),
        "url": "https://www.nar-anon.org/",
        "description": _l("For relatives and friends of someone who uses drugs. A Twelve Step fellowship "
                       "where family members find support and learn to take care of themselves."),
    },
    {
        "slug": "recovery-dharma",
        "name": _l("Recovery Dharma"),
        "url": "https://recoverydharma.org/",
        "description": _l("A peer-led community that uses Buddhist practices, such as meditation and "
                       "inquiry, to recover from addiction of any kind. Meetings are free and open to "
                       "everyone, with or without a Buddhist background."),
    },
    {
        "slug": "refuge-recovery",
        "name": _l("Refuge Recovery"),
        "url": "https://www.refugerecovery.org/",
        "description": _l("A Buddhist-inspired path to recovery from addiction, with peer-led meetings "
                       "that combine meditation, group sharing and the Four Noble Truths."),
    },
    {
        "slug": "celebrate-recovery",
        "name": _l("Celebrate Recovery"),
        "url": "https://www.celebraterecovery.com/",
        "description": _l("A Christ-centred Twelve Step program, usually held in churches, for anyone "
                       "working through addiction, hurts or habits. Large group worship is followed "
                       "by small groups for men and women."),
    },
    {
        "slug": "findtreatment",
        "name": _l("SAMHSA's treatment locator (FindTreatment.gov)"),
        "url": "https://findtreatment.gov/",
        "description": _l("The US government's confidential and anonymous search for licensed treatment "
                       "near you: outpatient care, counselling, medication for opioid use disorder and "
                       "more, with filters for payment and insurance."),
    },
]

SAFETY_STEPS = [
    {"key": "warning_signs", "number": 1, "title": _l("Warning signs"),
     "prompt": _l("Thoughts, images, moods, situations or behaviours that tell me a crisis may be coming."),
     "people": False},
    {"key": "coping_strategies", "number": 2, "title": _l("Things I can do on my own"),
     "prompt": _l("What I can do to take my mind off my problems without contacting another person "
               "(a walk, music, a shower, a breathing exercise)."),
     "people": False},
    {"key": "distractions", "number": 3, "title": _l("People and places that take my mind off things"),
     "prompt": _l("People I can be with, and social settings I can go to, for distraction."),
     "people": True},
    {"key": "people", "number": 4, "title": _l("People I can ask for help"),
     "prompt": _l("People I can tell how I am really doing, and ask for help."),
     "people": True},
    {"key": "professionals", "number": 5, "title": _l("Professionals and crisis lines"),
     "prompt": _l("My counselor, my doctor, and lines I can call or text at any hour."),
     "people": True},
    {"key": "environment", "number": 6, "title": _l("Making my surroundings safe"),
     "prompt": _l("How I can keep myself safe: putting away or getting rid of anything I could use to hurt "
               "myself, alcohol or drugs."),
     "people": False},
]
SAFETY_KEYS = [step["key"] for step in SAFETY_STEPS]
PEOPLE_STEPS = {step["key"] for step in SAFETY_STEPS if step["people"]}

# The Meeting Guide specification's type codes, with their English names.
MEETING_TYPES = {
    "11": _l("11th Step Meditation"), "12x12": _l("12 Steps & 12 Traditions"), "A": _l("Secular"),
    "ABSI": _l("As Bill Sees It"), "AL": _l("Concurrent with Alateen"), "AL-AN": _l("Concurrent with Al-Anon"),
    "AM": _l("Amharic"), "ASL": _l("American Sign Language"), "B": _l("Big Book"), "BA": _l("Babysitting Available"),
    "BE": _l("Newcomer"), "BI": _l("Bisexual"), "BRK": _l("Breakfast"), "C": _l("Closed"), "CAN": _l("Candlelight"),
    "CF": _l("Child-Friendly"), "D": _l("Discussion"), "DA": _l("Danish"), "DB": _l("Digital Basket"),
    "DD": _l("Dual Diagnosis"), "DE": _l("German"), "DR": _l("Daily Reflections"), "EL": _l("Greek"), "EN": _l("English"),
    "FA": _l("Persian"), "FF": _l("Fragrance Free"), "FR": _l("French"), "G": _l("Gay"), "GR": _l("Grapevine"),
    "H": _l("Birthday"), "HE": _l("Hebrew"), "HI": _l("Hindi"), "HR": _l("Croatian"), "HU": _l("Hungarian"),
    "ITA": _l("Italian"), "JA": _l("Japanese"), "KOR": _l("Korean"), "L": _l("Lesbian"), "LGBTQ": _l("LGBTQ"),
    "LIT": _l("Literature"), "LS": _l("Living Sober"), "LT": _l("Lithuanian"), "M": _l("Men"), "MED": _l("Meditation"),
    "ML": _l("Malayalam"), "N": _l("Native American"), "NB": _l("Non-Binary"), "NDG": _l("Indigenous"),
    "NO": _l("Norwegian"), "O": _l("Open"), "OUT": _l("Outdoor"), "P": _l("Professionals"), "POA": _l("Proof of Attendance"),
    "POC": _l("People of Color"), "POL": _l("Polish"), "POR": _l("Portuguese"), "PUN": _l("Punjabi"), "RUS": _l("Russian"),
    "S": _l("Spanish"), "SEN": _l("Seniors"), "SK": _l("Slovak"), "SM": _l("Smoking Permitted"), "SP": _l("Speaker"),
    "ST": _l("Step Study"), "SV": _l("Swedish"), "T": _l("Transgender"), "TC": _l("Location Temporarily Closed"),
    "TH": _l("Thai"), "TL": _l("Tagalog"), "TR": _l("Tradition Study"), "UK": _l("Ukrainian"), "W": _l("Women"),
    "X": _l("Wheelchair Access"), "XB": _l("Wheelchair-Accessible Bathroom"), "XT": _l("Cross Talk Permitted"),
    "Y": _l("Young People"),
    # Legacy codes that feeds still carry.
    "ONL": _l("Online"),
}

# The types offered as search filters, in the order people look for them.
SEARCH_TYPES = ["O", "C", "W", "M", "Y", "S", "BE", "LGBTQ", "SP", "D", "B", "ST", "MED", "X", "ASL",
                "A", "POC", "SEN", "CF"]

DAY_NAMES = [_l("Sunday"), _l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday")]

TIMES_OF_DAY = {
    "morning": (_l("Morning (5 am to noon)"), "05:00", "12:00"),
    "afternoon": (_l("Afternoon (noon to 5 pm)"), "12:00", "17:00"),
    "evening": (_l("Evening (5 pm to 9 pm)"), "17:00", "21:00"),
    "night": (_l("Night (9 pm to 5 am)"), "21:00", "05:00"),
}


def type_name(code: str) -> str:
    """A meeting type's name; an unknown local code is shown as it is."""
    return MEETING_TYPES.get(code, code)


def meeting_days(meeting) -> str:
    """The weekdays of a meeting in words."""
    days = meeting.days
    if not days:
        return _("By appointment")
    if len(days) == 7:
        return _("Every day")
    return ", ".join(str(DAY_NAMES[d]) for d in days)
