"""Fixed content: fellowships and services, crisis lines, meeting type names, safety-plan steps."""

from __future__ import annotations

FELLOWSHIPS = [
    {
        "slug": "aa",
        "name": "Alcoholics Anonymous (AA)",
        "url": "https://www.aa.org/",
        "description": "A fellowship of people who share their experience, strength and hope to stay sober "
                       "and help others recover from alcoholism, through the Twelve Steps. Meetings are free, "
                       "held in person and online, and open to anyone with a desire to stop drinking.",
    },
    {
        "slug": "na",
        "name": "Narcotics Anonymous (NA)",
        "url": "https://na.org/",
        "description": "A Twelve Step fellowship for people recovering from drug addiction, whatever the "
                       "drug. Members meet regularly to help each other stay clean. Meetings are free and "
                       "held around the world, in person and online.",
    },
    {
        "slug": "smart",
        "name": "SMART Recovery",
        "url": "https://smartrecovery.org/",
        "description": "Self-Management and Recovery Training: free mutual-help meetings built on "
                       "science-based tools such as CBT and motivational interviewing. It does not use "
                       "the Twelve Steps, and welcomes people with any addictive behaviour.",
    },
    {
        "slug": "al-anon",
        "name": "Al-Anon Family Groups",
        "url": "https://al-anon.org/",
        "description": "For families and friends of people whose drinking worries them. Members share "
                       "their experience and support each other, whether or not their loved one is "
                       "still drinking. Alateen is part of Al-Anon, for young people.",
    },
    {
        "slug": "nar-anon",
        "name": "Nar-Anon Family Groups",
        "url": "https://www.nar-anon.org/",
        "description": "For relatives and friends of someone who uses drugs. A Twelve Step fellowship "
                       "where family members find support and learn to take care of themselves.",
    },
    {
        "slug": "recovery-dharma",
        "name": "Recovery Dharma",
        "url": "https://recoverydharma.org/",
        "description": "A peer-led community that uses Buddhist practices, such as meditation and "
                       "inquiry, to recover from addiction of any kind. Meetings are free and open to "
                       "everyone, with or without a Buddhist background.",
    },
    {
        "slug": "refuge-recovery",
        "name": "Refuge Recovery",
        "url": "https://www.refugerecovery.org/",
        "description": "A Buddhist-inspired path to recovery from addiction, with peer-led meetings "
                       "that combine meditation, group sharing and the Four Noble Truths.",
    },
    {
        "slug": "celebrate-recovery",
        "name": "Celebrate Recovery",
        "url": "https://www.celebraterecovery.com/",
        "description": "A Christ-centred Twelve Step program, usually held in churches, for anyone "
                       "working through addiction, hurts or habits. Large group worship is followed "
                       "by small groups for men and women.",
    },
    {
        "slug": "findtreatment",
        "name": "SAMHSA's treatment locator (FindTreatment.gov)",
        "url": "https://findtreatment.gov/",
        "description": "The US government's confidential and anonymous search for licensed treatment "
                       "near you: outpatient care, counselling, medication for opioid use disorder and "
                       "more, with filters for payment and insurance.",
    },
]

SAFETY_STEPS = [
    {"key": "warning_signs", "number": 1, "title": "Warning signs",
     "prompt": "Thoughts, images, moods, situations or behaviours that tell me a crisis may be coming.",
     "people": False},
    {"key": "coping_strategies", "number": 2, "title": "Things I can do on my own",
     "prompt": "What I can do to take my mind off my problems without contacting another person "
               "(a walk, music, a shower, a breathing exercise).",
     "people": False},
    {"key": "distractions", "number": 3, "title": "People and places that take my mind off things",
     "prompt": "People I can be with, and social settings I can go to, for distraction.",
     "people": True},
    {"key": "people", "number": 4, "title": "People I can ask for help",
     "prompt": "People I can tell how I am really doing, and ask for help.",
     "people": True},
    {"key": "professionals", "number": 5, "title": "Professionals and crisis lines",
     "prompt": "My counselor, my doctor, and lines I can call or text at any hour.",
     "people": True},
    {"key": "environment", "number": 6, "title": "Making my surroundings safe",
     "prompt": "How I can keep myself safe: putting away or getting rid of anything I could use to hurt "
               "myself, alcohol or drugs.",
     "people": False},
]
SAFETY_KEYS = [step["key"] for step in SAFETY_STEPS]
PEOPLE_STEPS = {step["key"] for step in SAFETY_STEPS if step["people"]}

# The Meeting Guide specification's type codes, with their English names.
MEETING_TYPES = {
    "11": "11th Step Meditation", "12x12": "12 Steps & 12 Traditions", "A": "Secular",
    "ABSI": "As Bill Sees It", "AL": "Concurrent with Alateen", "AL-AN": "Concurrent with Al-Anon",
    "AM": "Amharic", "ASL": "American Sign Language", "B": "Big Book", "BA": "Babysitting Available",
    "BE": "Newcomer", "BI": "Bisexual", "BRK": "Breakfast", "C": "Closed", "CAN": "Candlelight",
    "CF": "Child-Friendly", "D": "Discussion", "DA": "Danish", "DB": "Digital Basket",
    "DD": "Dual Diagnosis", "DE": "German", "DR": "Daily Reflections", "EL": "Greek", "EN": "English",
    "FA": "Persian", "FF": "Fragrance Free", "FR": "French", "G": "Gay", "GR": "Grapevine",
    "H": "Birthday", "HE": "Hebrew", "HI": "Hindi", "HR": "Croatian", "HU": "Hungarian",
    "ITA": "Italian", "JA": "Japanese", "KOR": "Korean", "L": "Lesbian", "LGBTQ": "LGBTQ",
    "LIT": "Literature", "LS": "Living Sober", "LT": "Lithuanian", "M": "Men", "MED": "Meditation",
    "ML": "Malayalam", "N": "Native American", "NB": "Non-Binary", "NDG": "Indigenous",
    "NO": "Norwegian", "O": "Open", "OUT": "Outdoor", "P": "Professionals", "POA": "Proof of Attendance",
    "POC": "People of Color", "POL": "Polish", "POR": "Portuguese", "PUN": "Punjabi", "RUS": "Russian",
    "S": "Spanish", "SEN": "Seniors", "SK": "Slovak", "SM": "Smoking Permitted", "SP": "Speaker",
    "ST": "Step Study", "SV": "Swedish", "T": "Transgender", "TC": "Location Temporarily Closed",
    "TH": "Thai", "TL": "Tagalog", "TR": "Tradition Study", "UK": "Ukrainian", "W": "Women",
    "X": "Wheelchair Access", "XB": "Wheelchair-Accessible Bathroom", "XT": "Cross Talk Permitted",
    "Y": "Young People",
    # Legacy codes that feeds still carry.
    "ONL": "Online",
}

# The types offered as search filters, in the order people look for them.
SEARCH_TYPES = ["O", "C", "W", "M", "Y", "S", "BE", "LGBTQ", "SP", "D", "B", "ST", "MED", "X", "ASL",
                "A", "POC", "SEN", "CF"]

DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

TIMES_OF_DAY = {
    "morning": ("Morning (5 am to noon)", "05:00", "12:00"),
    "afternoon": ("Afternoon (noon to 5 pm)", "12:00", "17:00"),
    "evening": ("Evening (5 pm to 9 pm)", "17:00", "21:00"),
    "night": ("Night (9 pm to 5 am)", "21:00", "05:00"),
}


def type_name(code: str) -> str:
    """A meeting type's name; an unknown local code is shown as it is."""
    return MEETING_TYPES.get(code, code)
