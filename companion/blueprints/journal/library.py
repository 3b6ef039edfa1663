"""The coping-skill library: short, practical skills from CBT, DBT, relapse prevention, grounding and support."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from dataclasses import dataclass

FAMILIES = {
    "cbt": _l("Thinking skills (CBT)"),
    "dbt": _l("Emotion and distress skills (DBT)"),
    "relapse_prevention": _l("Relapse prevention"),
    "grounding": _l("Grounding and calming"),
    "support": _l("Reaching out"),
    "custom": _l("My own skills"),
}


@dataclass(frozen=True)
class Skill:
    slug: str
    name: str
    family: str
    purpose: str
    steps: tuple[str, ...]
    custom: bool = False


def localized(skill: Skill) -> Skill:
    """A library skill in the page's language, as plain text (the library holds lazy strings)."""
    return Skill(skill.slug, str(skill.name), skill.family, str(skill.purpose), tuple(str(s) for s in skill.steps),
                 skill.custom)


def _skill(slug, name, family, purpose, *steps) -> Skill:
    return Skill(slug, name, family, purpose, tuple(steps))


LIBRARY: tuple[Skill, ...] = (
    _skill("urge-surfing", _l("Urge surfing"), "dbt", _l("Ride a craving like a wave until it passes on its own."),
           _l("Notice where you feel the urge in your body."), _l("Breathe slowly and describe the feeling to yourself."),
           _l("Watch it rise, peak and fall without acting on it."), _l("Remind yourself: urges pass, usually within 20–30 minutes.")),
    _skill("tipp", _l("TIPP"), "dbt", _l("Bring intense emotion down fast by changing your body's chemistry."),
           _l("Temperature: hold cold water or ice on your face for 30 seconds."), _l("Intense exercise: move hard for a few minutes."),
           _l("Paced breathing: breathe out longer than you breathe in."), _l("Paired muscle relaxation: tense, then let go.")),
    _skill("stop", _l("STOP"), "dbt", _l("Pause before acting on an urge."),
           _l("Stop: freeze for a moment."), _l("Take a step back and breathe."),
           _l("Observe what is happening inside and around you."), _l("Proceed mindfully, toward your goals.")),
    _skill("opposite-action", _l("Opposite action"), "dbt", _l("Change a feeling by acting opposite to its urge."),
           _l("Name the emotion and what it urges you to do."), _l("Ask whether acting on it would help."),
           _l("Do the opposite, all the way: approach, be gentle, get active."), _l("Notice how the feeling shifts.")),
    _skill("self-soothe", _l("Self-soothe with the five senses"), "dbt", _l("Comfort yourself kindly through your senses."),
           _l("Sight: look at something calming."), _l("Sound: play a song you find soothing."),
           _l("Smell and taste: a warm drink, a favourite scent."), _l("Touch: a blanket, a pet, a warm shower.")),
    _skill("radical-acceptance", _l("Radical acceptance"), "dbt", _l("Stop fighting what you cannot change right now."),
           _l("Notice you are fighting reality (\"this shouldn't be happening\")."), _l("Remind yourself: this is what is, right now."),
           _l("Let your body soften: relax your hands and face."), _l("Ask: what can I do from here?")),
    _skill("dear-man", _l("DEAR MAN"), "dbt", _l("Ask for what you need, or say no, clearly and kindly."),
           _l("Describe the situation with facts."), _l("Express how you feel; Assert what you want."),
           _l("Reinforce: say why it helps both of you."), _l("Stay mindful, appear confident, be ready to negotiate.")),
    _skill("pros-and-cons", _l("Pros and cons"), "dbt", _l("See the whole picture before acting on an urge."),
           _l("List the pros and cons of acting on the urge."), _l("List the pros and cons of resisting it."),
           _l("Think about the long term, not only the next hour."), _l("Choose what fits the life you want.")),
    _skill("check-the-facts", _l("Check the facts"), "dbt", _l("See whether a feeling fits the situation."),
           _l("Name the event that set off the feeling."), _l("Separate facts from interpretations."),
           _l("Ask what else could be true."), _l("Adjust the feeling's size to the facts.")),
    _skill("thought-record", _l("Thought record"), "cbt", _l("Catch an unhelpful thought and find a more balanced one."),
           _l("Write down the situation and the automatic thought."), _l("Rate how strongly you believe it."),
           _l("List evidence for and against it."), _l("Write a balanced thought and re-rate.")),
    _skill("challenge-the-thought", _l("Challenge the craving thought"), "cbt", _l("Answer the \"just one won't hurt\" voice."),
           _l("Notice the permission-giving thought."), _l("Ask: what happened last time I believed this?"),
           _l("Write a reply you believe."), _l("Read it out loud.")),
    _skill("cost-benefit", _l("Cost–benefit card"), "cbt", _l("Keep your reasons for change in your pocket."),
           _l("Write the real costs of using."), _l("Write what you gain by staying on track."),
           _l("Keep the card on your phone."), _l("Read it when an urge starts.")),
    _skill("behavioural-activation", _l("Do one small thing"), "cbt", _l("Lift your mood by acting before you feel like it."),
           _l("Pick one small, doable activity."), _l("Set a time for it in the next hour."),
           _l("Do it, even half-heartedly."), _l("Notice any change in your mood afterwards.")),
    _skill("play-the-tape-through", _l("Play the tape through"), "relapse_prevention", _l("See where a craving really leads."),
           _l("Imagine using, right now."), _l("Keep the film running: the next hour, the next morning, the next week."),
           _l("Notice how you would feel and what you would lose."), _l("Compare it with how tomorrow looks if you don't.")),
    _skill("delay-and-distract", _l("Delay and distract"), "relapse_prevention", _l("Put time between the urge and any action."),
           _l("Tell yourself: not for the next 15 minutes."), _l("Do something absorbing: walk, shower, a game, a chore."),
           _l("Check the urge again after 15 minutes."), _l("Repeat; most urges fade.")),
    _skill("halt-check", _l("HALT check"), "relapse_prevention", _l("Look after the basic need behind the urge."),
           _l("Am I Hungry? Eat something."), _l("Am I Angry? Name it, move, or talk it out."),
           _l("Am I Lonely? Reach out to someone."), _l("Am I Tired? Rest if you can.")),
    _skill("avoid-the-cue", _l("Change the setting"), "relapse_prevention", _l("Get away from what set off the craving."),
           _l("Notice the person, place or thing that started it."), _l("Leave, or move it out of sight."),
           _l("Go somewhere safe and public."), _l("Plan how to avoid it next time.")),
    _skill("recovery-reasons", _l("Remember my reasons"), "relapse_prevention", _l("Reconnect with why you started this."),
           _l("Think of the people and things that matter most."), _l("Look at a photo or note that reminds you."),
           _l("Say your reason out loud."), _l("Take one step that honours it.")),
    _skill("5-4-3-2-1", _l("5-4-3-2-1 grounding"), "grounding", _l("Come back to the present through your senses."),
           _l("Name 5 things you can see."), _l("4 things you can touch."), _l("3 things you can hear."),
           _l("2 things you can smell."), _l("1 thing you can taste.")),
    _skill("paced-breathing", _l("Paced breathing"), "grounding", _l("Slow your body down with your breath."),
           _l("Breathe in through your nose for 4."), _l("Hold gently for 2."), _l("Breathe out slowly for 6."),
           _l("Repeat for 2 to 5 minutes.")),
    _skill("box-breathing", _l("Box breathing"), "grounding", _l("Steady your breath with an even rhythm."),
           _l("Breathe in for 4."), _l("Hold for 4."), _l("Breathe out for 4."), _l("Hold for 4, and repeat.")),
    _skill("cold-water", _l("Cold water"), "grounding", _l("Reset a racing body quickly."),
           _l("Run cold water over your wrists, or splash your face."), _l("Breathe slowly while you do it."),
           _l("Notice your heart rate slowing.")),
    _skill("body-scan", _l("Body scan"), "grounding", _l("Notice and release tension."),
           _l("Sit or lie down and close your eyes if you like."), _l("Move your attention slowly from feet to head."),
           _l("Notice tight spots without judging."), _l("Breathe into each one and let it soften.")),
    _skill("call-my-sponsor", _l("Call my sponsor"), "support", _l("Let someone who understands help carry it."),
           _l("Open your contacts and find your sponsor or a recovery friend."), _l("Call or text: \"I'm having a hard moment.\""),
           _l("Say what is going on, honestly."), _l("Agree on one next step together.")),
    _skill("go-to-a-meeting", _l("Go to a meeting"), "support", _l("Be around people who get it."),
           _l("Look up the next meeting, in person or online."), _l("Go, even if you just listen."),
           _l("Stay for the whole meeting."), _l("Talk to one person afterwards.")),
    _skill("reach-out", _l("Reach out to someone safe"), "support", _l("Break the isolation a craving feeds on."),
           _l("Think of one safe person."), _l("Send a short message or call."), _l("You don't have to explain everything.")),
    _skill("call-a-helpline", _l("Call a helpline"), "support", _l("Talk to someone trained, any time of day."),
           _l("Call or text 988, or SAMHSA at 1-800-662-4357."), _l("Say you are having a hard time."),
           _l("Listen and follow one suggestion.")),
)

BY_SLUG = {skill.slug: skill for skill in LIBRARY}
