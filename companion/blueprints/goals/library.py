"""Starter goals for common IOP goals, each with a few small first steps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoalTemplate:
    slug: str
    title: str
    why: str
    category: str
    steps: tuple[str, ...]


TEMPLATES: tuple[GoalTemplate, ...] = (
    GoalTemplate("attend-group-this-week", "Go to every group session this week",
                 "Showing up is how the work gets done, even on days I don't feel like it.", "recovery",
                 ("Put this week's session times in my phone", "Plan how I will get there each day",
                  "Tell someone I trust that I'm going", "Go to the first session of the week")),
    GoalTemplate("find-a-sponsor", "Find a sponsor or mentor",
                 "Having someone who has been where I am makes the hard days easier.", "recovery",
                 ("Go to a meeting and stay for a few minutes after", "Write down two people whose recovery I respect",
                  "Ask one of them for their phone number", "Ask someone to be my sponsor or mentor")),
    GoalTemplate("sleep-routine", "Build a sleep routine",
                 "Being tired makes cravings stronger. Good sleep gives me more to work with.", "health",
                 ("Pick a regular time to go to bed and to get up", "Put my phone away 30 minutes before bed",
                  "Skip caffeine after 2 pm", "Keep to my bedtime for 5 nights this week")),
    GoalTemplate("high-risk-weekend", "Plan for a high-risk weekend",
                 "Weekends and free time can be when cravings hit hardest. A plan helps.", "recovery",
                 ("Write down the times and places that are risky for me", "Plan something to do on Friday night and Saturday",
                  "Pick two people I can call if it gets hard", "Plan how I'll say no if I'm offered something",
                  "Check in with myself each evening")),
    GoalTemplate("reconnect", "Reconnect with someone I trust",
                 "People who care about me help me stay on track.", "relationships",
                 ("Think of someone I'd like back in my life", "Write down what I'd like to say",
                  "Send a short message or make a call", "Plan a time to meet or talk again")),
    GoalTemplate("job-interview", "Prepare for a job interview",
                 "Work gives my days shape and gets me closer to the life I want.", "work_school",
                 ("Update my résumé", "Practise answers to three common questions with someone",
                  "Choose what I'll wear and how I'll get there", "Plan how to talk about gaps in my work history")),
    GoalTemplate("coping-plan", "Make my plan for cravings",
                 "When a craving comes, I want to know exactly what I'll do.", "recovery",
                 ("List my three biggest triggers", "Pick two coping skills to try for each",
                  "Save my support people's numbers in my phone", "Practise one skill when I'm calm")),
    GoalTemplate("move-my-body", "Move my body most days",
                 "Exercise eases stress and lifts my mood.", "health",
                 ("Pick an activity I can do for 15 minutes", "Do it three times this week",
                  "Find a time of day that works for me", "Ask someone to join me once")),
    GoalTemplate("eat-regular-meals", "Eat regular meals",
                 "Being hungry makes everything harder. HALT starts with hungry.", "health",
                 ("Eat breakfast three days this week", "Shop for easy, healthy food", "Carry a snack with me")),
    GoalTemplate("money-plan", "Get my money in order",
                 "Knowing where my money goes takes away stress and some temptation.", "other",
                 ("Write down what comes in and what goes out each month", "List bills that are due and when",
                  "Pick one bill or debt to deal with first", "Set aside a small amount each week if I can")),
    GoalTemplate("stable-housing", "Work towards stable housing",
                 "A safe, steady place to live supports my recovery.", "housing",
                 ("Talk to my counselor or case manager about housing options", "Gather my ID and papers",
                  "Fill in one application", "Follow up on it within a week")),
    GoalTemplate("legal-obligations", "Keep up with court or probation requirements",
                 "Meeting my obligations keeps my path forward open.", "legal",
                 ("Write down every date and requirement I have", "Put them in my calendar with reminders",
                  "Ask my counselor for any letters or attendance records I need", "Plan transport for each appointment")),
    GoalTemplate("self-care-routine", "Build a daily self-care routine",
                 "Small kind things I do for myself every day add up.", "health",
                 ("Choose three small things that help me feel okay", "Do one of them each morning",
                  "Notice how I feel after, and write it down")),
    GoalTemplate("go-back-to-school", "Take a step toward school or training",
                 "Learning something new builds the future I'm working for.", "work_school",
                 ("Look up one course or program that interests me", "Find out what it costs and how to apply",
                  "Talk it over with someone I trust", "Apply or sign up")),
)

BY_SLUG = {template.slug: template for template in TEMPLATES}
