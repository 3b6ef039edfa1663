"""The coping-skill library: short, practical skills from CBT, DBT, relapse prevention, grounding and support."""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = {
    "cbt": "Thinking skills (CBT)",
    "dbt": "Emotion and distress skills (DBT)",
    "relapse_prevention": "Relapse prevention",
    "grounding": "Grounding and calming",
    "support": "Reaching out",
    "custom": "My own skills",
}


@dataclass(frozen=True)
class Skill:
    slug: str
    name: str
    family: str
    purpose: str
    steps: tuple[str, ...]
    custom: bool = False


def _skill(slug, name, family, purpose, *steps) -> Skill:
    return Skill(slug, name, family, purpose, tuple(steps))


LIBRARY: tuple[Skill, ...] = (
    _skill("urge-surfing", "Urge surfing", "dbt", "Ride a craving like a wave until it passes on its own.",
           "Notice where you feel the urge in your body.", "Breathe slowly and describe the feeling to yourself.",
           "Watch it rise, peak and fall without acting on it.", "Remind yourself: urges pass, usually within 20–30 minutes."),
    _skill("tipp", "TIPP", "dbt", "Bring intense emotion down fast by changing your body's chemistry.",
           "Temperature: hold cold water or ice on your face for 30 seconds.", "Intense exercise: move hard for a few minutes.",
           "Paced breathing: breathe out longer than you breathe in.", "Paired muscle relaxation: tense, then let go."),
    _skill("stop", "STOP", "dbt", "Pause before acting on an urge.",
           "Stop: freeze for a moment.", "Take a step back and breathe.",
           "Observe what is happening inside and around you.", "Proceed mindfully, toward your goals."),
    _skill("opposite-action", "Opposite action", "dbt", "Change a feeling by acting opposite to its urge.",
           "Name the emotion and what it urges you to do.", "Ask whether acting on it would help.",
           "Do the opposite, all the way: approach, be gentle, get active.", "Notice how the feeling shifts."),
    _skill("self-soothe", "Self-soothe with the five senses", "dbt", "Comfort yourself kindly through your senses.",
           "Sight: look at something calming.", "Sound: play a song you find soothing.",
           "Smell and taste: a warm drink, a favourite scent.", "Touch: a blanket, a pet, a warm shower."),
    _skill("radical-acceptance", "Radical acceptance", "dbt", "Stop fighting what you cannot change right now.",
           "Notice you are fighting reality (\"this shouldn't be happening\").", "Remind yourself: this is what is, right now.",
           "Let your body soften: relax your hands and face.", "Ask: what can I do from here?"),
    _skill("dear-man", "DEAR MAN", "dbt", "Ask for what you need, or say no, clearly and kindly.",
           "Describe the situation with facts.", "Express how you feel; Assert what you want.",
           "Reinforce: say why it helps both of you.", "Stay mindful, appear confident, be ready to negotiate."),
    _skill("pros-and-cons", "Pros and cons", "dbt", "See the whole picture before acting on an urge.",
           "List the pros and cons of acting on the urge.", "List the pros and cons of resisting it.",
           "Think about the long term, not only the next hour.", "Choose what fits the life you want."),
    _skill("check-the-facts", "Check the facts", "dbt", "See whether a feeling fits the situation.",
           "Name the event that set off the feeling.", "Separate facts from interpretations.",
           "Ask what else could be true.", "Adjust the feeling's size to the facts."),
    _skill("thought-record", "Thought record", "cbt", "Catch an unhelpful thought and find a more balanced one.",
           "Write down the situation and the automatic thought.", "Rate how strongly you believe it.",
           "List evidence for and against it.", "Write a balanced thought and re-rate."),
    _skill("challenge-the-thought", "Challenge the craving thought", "cbt", "Answer the \"just one won't hurt\" voice.",
           "Notice the permission-giving thought.", "Ask: what happened last time I believed this?",
           "Write a reply you believe.", "Read it out loud."),
    _skill("cost-benefit", "Cost–benefit card", "cbt", "Keep your reasons for change in your pocket.",
           "Write the real costs of using.", "Write what you gain by staying on track.",
           "Keep the card on your phone.", "Read it when an urge starts."),
    _skill("behavioural-activation", "Do one small thing", "cbt", "Lift your mood by acting before you feel like it.",
           "Pick one small, doable activity.", "Set a time for it in the next hour.",
           "Do it, even half-heartedly.", "Notice any change in your mood afterwards."),
    _skill("play-the-tape-through", "Play the tape through", "relapse_prevention", "See where a craving really leads.",
           "Imagine using, right now.", "Keep the film running: the next hour, the next morning, the next week.",
           "Notice how you would feel and what you would lose.", "Compare it with how tomorrow looks if you don't."),
    _skill("delay-and-distract", "Delay and distract", "relapse_prevention", "Put time between the urge and any action.",
           "Tell yourself: not for the next 15 minutes.", "Do something absorbing: walk, shower, a game, a chore.",
           "Check the urge again after 15 minutes.", "Repeat; most urges fade."),
    _skill("halt-check", "HALT check", "relapse_prevention", "Look after the basic need behind the urge.",
           "Am I Hungry? Eat something.", "Am I Angry? Name it, move, or talk it out.",
           "Am I Lonely? Reach out to someone.", "Am I Tired? Rest if you can."),
    _skill("avoid-the-cue", "Change the setting", "relapse_prevention", "Get away from what set off the craving.",
           "Notice the person, place or thing that started it.", "Leave, or move it out of sight.",
           "Go somewhere safe and public.", "Plan how to avoid it next time."),
    _skill("recovery-reasons", "Remember my reasons", "relapse_prevention", "Reconnect with why you started this.",
           "Think of the people and things that matter most.", "Look at a photo or note that reminds you.",
           "Say your reason out loud.", "Take one step that honours it."),
    _skill("5-4-3-2-1", "5-4-3-2-1 grounding", "grounding", "Come back to the present through your senses.",
           "Name 5 things you can see.", "4 things you can touch.", "3 things you can hear.",
           "2 things you can smell.", "1 thing you can taste."),
    _skill("paced-breathing", "Paced breathing", "grounding", "Slow your body down with your breath.",
           "Breathe in through your nose for 4.", "Hold gently for 2.", "Breathe out slowly for 6.",
           "Repeat for 2 to 5 minutes."),
    _skill("box-breathing", "Box breathing", "grounding", "Steady your breath with an even rhythm.",
           "Breathe in for 4.", "Hold for 4.", "Breathe out for 4.", "Hold for 4, and repeat."),
    _skill("cold-water", "Cold water", "grounding", "Reset a racing body quickly.",
           "Run cold water over your wrists, or splash your face.", "Breathe slowly while you do it.",
           "Notice your heart rate slowing."),
    _skill("body-scan", "Body scan", "grounding", "Notice and release tension.",
           "Sit or lie down and close your eyes if you like.", "Move your attention slowly from feet to head.",
           "Notice tight spots without judging.", "Breathe into each one and let it soften."),
    _skill("call-my-sponsor", "Call my sponsor", "support", "Let someone who understands help carry it.",
           "Open your contacts and find your sponsor or a recovery friend.", "Call or text: \"I'm having a hard moment.\"",
           "Say what is going on, honestly.", "Agree on one next step together."),
    _skill("go-to-a-meeting", "Go to a meeting", "support", "Be around people who get it.",
           "Look up the next meeting, in person or online.", "Go, even if you just listen.",
           "Stay for the whole meeting.", "Talk to one person afterwards."),
    _skill("reach-out", "Reach out to someone safe", "support", "Break the isolation a craving feeds on.",
           "Think of one safe person.", "Send a short message or call.", "You don't have to explain everything."),
    _skill("call-a-helpline", "Call a helpline", "support", "Talk to someone trained, any time of day.",
           "Call or text 988, or SAMHSA at 1-800-662-4357.", "Say you are having a hard time.",
           "Listen and follow one suggestion."),
)

BY_SLUG = {skill.slug: skill for skill in LIBRARY}
