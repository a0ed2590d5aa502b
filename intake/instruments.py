"""The wording of the questionnaires the screening embeds. Scoring lives in ``intake.scoring``; licences and sources
are in docs/instruments.md."""

from __future__ import annotations

PHQ9_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed; or the opposite, being so fidgety or "
    "restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)
GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
FREQUENCY = ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day"))

AUDIT_C_ITEMS = (
    (
        "How often do you have a drink containing alcohol?",
        (
            (0, "Never"),
            (1, "Monthly or less"),
            (2, "2 to 4 times a month"),
            (3, "2 to 3 times a week"),
            (4, "4 or more times a week"),
        ),
    ),
    (
        "How many standard drinks containing alcohol do you have on a typical day when you are drinking?",
        ((0, "1 or 2"), (1, "3 or 4"), (2, "5 or 6"), (3, "7 to 9"), (4, "10 or more")),
    ),
    (
        "How often do you have six or more drinks on one occasion?",
        ((0, "Never"), (1, "Less than monthly"), (2, "Monthly"), (3, "Weekly"), (4, "Daily or almost daily")),
    ),
)

DAST10_STEM = (
    "These questions are about your use of drugs in the past 12 months, not counting alcohol or medicines taken "
    "as prescribed."
)
DAST10_ITEMS = (
    "Have you used drugs other than those required for medical reasons?",
    "Do you use more than one drug at a time?",
    "Are you always able to stop using drugs when you want to?",
    "Have you had blackouts or flashbacks as a result of drug use?",
    "Do you ever feel bad or guilty about your drug use?",
    "Does your spouse (or parents) ever complain about your involvement with drugs?",
    "Have you neglected your family because of your use of drugs?",
    "Have you engaged in illegal activities in order to obtain drugs?",
    "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
    "Have you had medical problems as a result of your drug use (for example memory loss, hepatitis, "
    "convulsions, bleeding)?",
)

PCL5_STEM = (
    "Below is a list of problems that people sometimes have in response to a very stressful experience. "
    "In the past month, how much were you bothered by:"
)
PCL5_ITEMS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (people, places, conversations, activities, "
    "objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    "Being superalert or watchful or on guard?",
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)
PCL5_SCALE = ((0, "Not at all"), (1, "A little bit"), (2, "Moderately"), (3, "Quite a bit"), (4, "Extremely"))

CSSRS_STEM = "These questions are about the past month unless they say otherwise."
# (key as scoring.score_cssrs takes it, wording, the key whose "yes" makes the question apply)
CSSRS_ITEMS = (
    ("wish_dead", "Have you wished you were dead or wished you could go to sleep and not wake up?", None),
    ("thoughts", "Have you actually had any thoughts of killing yourself?", None),
    ("method", "Have you been thinking about how you might do this?", "thoughts"),
    ("intent", "Have you had these thoughts and had some intention of acting on them?", "thoughts"),
    (
        "plan",
        "Have you started to work out or worked out the details of how to kill yourself? "
        "Do you intend to carry out this plan?",
        "thoughts",
    ),
    (
        "behaviour_lifetime",
        "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
        None,
    ),
    ("behaviour_past_3_months", "Was that within the past 3 months?", "behaviour_lifetime"),
)
