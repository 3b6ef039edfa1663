"""Starter goals for common IOP goals, each with a few small first steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from dataclasses import dataclass


@dataclass(frozen=True)
class GoalTemplate:
    slug: str
    title: str
    why: str
    category: str
    steps: tuple[str, ...]


TEMPLATES: tuple[GoalTemplate, ...] = (
    GoalTemplate("attend-group-this-week", _l("Go to every group session this week"),
                 _l("Showing up is how the work gets done, even on days I don't feel like it."), "recovery",
                 (_l("Put this week's session times in my phone"), _l("Plan how I will get there each day"),
                  _l("Tell someone I trust that I'm going"), _l("Go to the first session of the week"))),
    GoalTemplate("find-a-sponsor", _l("Find a sponsor or mentor"),
                 _l("Having someone who has been where I am makes the hard days easier."), "recovery",
                 (_l("Go to a meeting and stay for a few minutes after"), _l("Write down two people whose recovery I respect"),
                  _l("Ask one of them for their phone number"), _l("Ask someone to be my sponsor or mentor"))),
    GoalTemplate("sleep-routine", _l("Build a sleep routine"),
                 _l("Being tired makes cravings stronger. Good sleep gives me more to work with."), "health",
                 (_l("Pick a regular time to go to bed and to get up"), _l("Put my phone away 30 minutes before bed"),
                  _l("Skip caffeine after 2 pm"), _l("Keep to my bedtime for 5 nights this week"))),
    GoalTemplate("high-risk-weekend", _l("Plan for a high-risk weekend"),
                 _l("Weekends and free time can be when cravings hit hardest. A plan helps."), "recovery",
                 (_l("Write down the times and places that are risky for me"), _l("Plan something to do on Friday night and Saturday"),
                  _l("Pick two people I can call if it gets hard"), _l("Plan how I'll say no if I'm offered something"),
                  _l("Check in with myself each evening"))),
    GoalTemplate("reconnect", _l("Reconnect with someone I trust"),
                 _l("People who care about me help me stay on track."), "relationships",
                 (_l("Think of someone I'd like back in my life"), _l("Write down what I'd like to say"),
                  _l("Send a short message or make a call"), _l("Plan a time to meet or talk again"))),
    GoalTemplate("job-interview", _l("Prepare for a job interview"),
                 _l("Work gives my days shape and gets me closer to the life I want."), "work_school",
                 (_l("Update my résumé"), _l("Practise answers to three common questions with someone"),
                  _l("Choose what I'll wear and how I'll get there"), _l("Plan how to talk about gaps in my work history"))),
    GoalTemplate("coping-plan", _l("Make my plan for cravings"),
                 _l("When a craving comes, I want to know exactly what I'll do."), "recovery",
                 (_l("List my three biggest triggers"), _l("Pick two coping skills to try for each"),
                  _l("Save my support people's numbers in my phone"), _l("Practise one skill when I'm calm"))),
    GoalTemplate("move-my-body", _l("Move my body most days"),
                 _l("Exercise eases stress and lifts my mood."), "health",
                 (_l("Pick an activity I can do for 15 minutes"), _l("Do it three times this week"),
                  _l("Find a time of day that works for me"), _l("Ask someone to join me once"))),
    GoalTemplate("eat-regular-meals", _l("Eat regular meals"),
                 _l("Being hungry makes everything harder. HALT starts with hungry."), "health",
                 (_l("Eat breakfast three days this week"), _l("Shop for easy, healthy food"), _l("Carry a snack with me"))),
    GoalTemplate("money-plan", _l("Get my money in order"),
                 _l("Knowing where my money goes takes away stress and some temptation."), "other",
                 (_l("Write down what comes in and what goes out each month"), _l("List bills that are due and when"),
                  _l("Pick one bill or debt to deal with first"), _l("Set aside a small amount each week if I can"))),
    GoalTemplate("stable-housing", _l("Work towards stable housing"),
                 _l("A safe, steady place to live supports my recovery."), "housing",
                 (_l("Talk to my counselor or case manager about housing options"), _l("Gather my ID and papers"),
                  _l("Fill in one application"), _l("Follow up on it within a week"))),
    GoalTemplate("legal-obligations", _l("Keep up with court or probation requirements"),
                 _l("Meeting my obligations keeps my path forward open."), "legal",
                 (_l("Write down every date and requirement I have"), _l("Put them in my calendar with reminders"),
                  _l("Ask my counselor for any letters or attendance records I need"), _l("Plan transport for each appointment"))),
    GoalTemplate("self-care-routine", _l("Build a daily self-care routine"),
                 _l("Small kind things I do for myself every day add up."), "health",
                 (_l("Choose three small things that help me feel okay"), _l("Do one of them each morning"),
                  _l("Notice how I feel after, and write it down"))),
    GoalTemplate("go-back-to-school", _l("Take a step toward school or training"),
                 _l("Learning something new builds the future I'm working for."), "work_school",
                 (_l("Look up one course or program that interests me"), _l("Find out what it costs and how to apply"),
                  _l("Talk it over with someone I trust"), _l("Apply or sign up"))),
)

BY_SLUG = {template.slug: template for template in TEMPLATES}
