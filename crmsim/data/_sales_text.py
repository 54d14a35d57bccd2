"""Text pools for the sales stage: task subjects per stage, call-transcript pieces, names.

Plain data. Planted signals are read back by SQL through *marker phrases*: every failing BANT line
carries its factor's marker (``no budget``, ...), and every sentiment line on a subtopic carries that
subtopic's negative or positive marker. Lines of the other polarity never contain a marker, which
``tests/data/test_sales.py`` checks.
"""

from __future__ import annotations

STAGES = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")
OPEN_STAGES = STAGES[:4]
PROBABILITY = {"Qualification": 10, "Discovery": 25, "Quote": 50, "Negotiation": 75}

# Each subject belongs to exactly one stage (the task checks map Subject -> stage).
TASK_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Qualification": (
        "Research prospect background",
        "Initial outreach call",
        "Send introduction email",
        "Confirm budget owner and buying process",
        "Book discovery meeting",
        "Follow up on trade show contact",
        "Review inbound inquiry",
        "Check prospect fit against ideal customer profile",
    ),
    "Discovery": (
        "Map stakeholder priorities",
        "Pain point interview",
        "Research competitor landscape for account",
        "Document business objectives",
        "Review current systems and workflows",
        "Outline possible solution fit",
        "Gather technical requirements",
        "Collect baseline usage figures",
    ),
    "Quote": (
        "Prepare tailored proposal",
        "Run product demo",
        "Send customer success stories",
        "Build pricing quote",
        "Set up trial or pilot",
        "Present solution overview",
        "Hold needs analysis workshop",
        "Confirm quote line items with customer",
    ),
    "Negotiation": (
        "Negotiation meeting on terms",
        "Answer pricing objections",
        "Review redlines with legal",
        "Prepare contract for signature",
        "Get internal sign-off on discount",
        "Follow up on proposal feedback",
        "Settle payment terms",
        "Coordinate custom terms with product team",
    ),
    "Closed": (
        "Schedule customer kickoff",
        "Hand off to onboarding team",
        "Record final contract details",
        "Plan upsell and cross-sell review",
        "Post-sale check-in call",
        "Run win/loss analysis",
        "Add contact to nurture campaign",
        "Internal deal retrospective",
    ),
}
CLOSED_WON_SUBJECTS = TASK_SUBJECTS["Closed"][:5]
CLOSED_LOST_SUBJECTS = TASK_SUBJECTS["Closed"][5:]
SUBJECT_STAGE = {subject: stage for stage, subjects in TASK_SUBJECTS.items() for subject in subjects}

TASK_NOTES: dict[str, tuple[str, ...]] = {
    "Qualification": (
        "Find out whether {account} fits our target profile before investing more time.",
        "First contact with {contact}; confirm who else is involved at {account}.",
        "Check company size, current vendors and any recent news for {account}.",
    ),
    "Discovery": (
        "Go deeper with {contact} on what is slowing {account} down today.",
        "List the teams affected at {account} and what each one needs.",
        "Capture the goals {contact} mentioned so the proposal can speak to them.",
    ),
    "Quote": (
        "Put together a proposal for {account} built around {product}.",
        "Show {contact} how {product} handles the scenarios they raised.",
        "Share references from similar customers to back up the proposal for {account}.",
    ),
    "Negotiation": (
        "Work through the open points {contact} raised on price and terms.",
        "Line up legal and finance so the paperwork for {account} is not held up.",
        "Agree the final terms for {product} with {contact}.",
    ),
    "Closed": (
        "Wrap up {account}: make sure records and next steps are in order.",
        "Follow-up with {contact} after the decision on {product}.",
        "Capture what we learned from the {account} deal for the team.",
    ),
}

EVENT_SUBJECTS = (
    "Product demo",
    "Onsite visit",
    "Executive briefing",
    "Contract review call",
    "Solution workshop",
    "Quarterly business review",
)
EVENT_LOCATIONS = ("Customer site", "Zoom", "Microsoft Teams", "Headquarters, Room 4B", "Phone")

LEAD_TITLES = (
    "Operations Manager",
    "IT Director",
    "VP of Engineering",
    "Plant Manager",
    "Procurement Lead",
    "Chief Technology Officer",
    "Facilities Director",
    "Head of Analytics",
    "Finance Controller",
    "Project Engineer",
)
LEAD_SOURCES = ("Web", "Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Other")
OPP_SUFFIXES = {
    "b2b": ("Expansion", "Upgrade", "Pilot", "Rollout", "Refresh", "New Business", "Replacement"),
    "b2c": ("Upgrade", "Replacement", "Home Office", "Family Bundle", "Gift Purchase", "New Setup"),
}

COMPETITORS = {
    "b2b": ("Norvane Systems", "Tessaract Industrial", "Blue Meridian Tech", "Kestrel Automation", "Orison Cloud"),
    "b2c": ("Lumora", "Voltaro", "NimbusGear", "Pixelon", "Aurelle Home"),
}
# What a lead says they use today, by product category (b2c in consumer words).
CURRENT_THING = {
    "Smartphones": "phone",
    "Laptops": "laptop",
    "Headphones": "headphones",
    "Smart Home": "smart home setup",
    "Wearables": "fitness tracker",
    "Power & Charging": "charger",
    "Kitchen": "coffee machine",
    "Gaming": "console",
    "Cameras": "camera",
    "Audio": "speaker",
    "Tablets": "tablet",
    "Personal Care": "shaver",
}
DECIDERS = {
    "b2b": ("our CFO", "the VP of Operations", "our managing director", "the procurement board", "my boss"),
    "b2c": ("my partner", "my wife", "my husband", "my parents", "my business partner"),
}

# -- BANT lines for lead calls. Failing lines carry the factor's marker; passing lines never do. ----

BANT_MARKERS = {
    "Budget": "no budget",
    "Authority": "not the decision maker",
    "Need": "don't really need",
    "Timeline": "no timeline",
}
BANT_QUESTIONS = {
    "Budget": ("Have you set money aside for this?", "How are you thinking about budget?"),
    "Authority": ("Who else is involved in the decision?", "Who signs off on a purchase like this?"),
    "Need": ("What is prompting the search right now?", "How is your current {thing} holding up?"),
    "Timeline": ("When would you want this in place?", "What timing are you working towards?"),
}
BANT_PASS = {
    "Budget": (
        "We've set aside roughly ${amount:,} for this.",
        "Budget is approved; about ${amount:,} is earmarked.",
        "Finance signed off on around ${amount:,} for the project.",
    ),
    "Authority": (
        "I lead this and I sign off on the purchase.",
        "The call is mine; I have approval for a spend like this.",
        "I'm the one who approves it; purchasing just processes the paperwork.",
    ),
    "Need": (
        "Our current {thing} keeps letting us down and it's costing us every week.",
        "What we have can't keep up anymore, so replacing it is a priority.",
        "We have a real gap with our {thing} and people are complaining.",
    ),
    "Timeline": (
        "We want it in place by {month}.",
        "The goal is to be up and running within {weeks} weeks.",
        "We need to decide this quarter.",
    ),
}
BANT_FAIL = {
    "Budget": (
        "Right now there's no budget for this; it would have to wait for next year's plan.",
        "We have no budget set aside for anything new this year.",
        "Honestly, there is no budget on our side until the spending freeze lifts.",
    ),
    "Authority": (
        "I should say I'm not the decision maker here; {decider} has the final word.",
        "I'm not the decision maker, I'm just collecting options for {decider}.",
        "To be clear, I'm not the decision maker. {decider} approves anything like this.",
    ),
    "Need": (
        "To be honest we don't really need anything new; what we have works fine.",
        "We don't really need to change our {thing} at the moment.",
        "I'm curious, but we don't really need this yet.",
    ),
    "Timeline": (
        "There's no timeline for this yet, maybe sometime next year.",
        "We have no timeline set; this is exploratory for now.",
        "No timeline on our side, it depends on a reorganisation that hasn't happened.",
    ),
}

# -- Sentiment per subtopic for opportunity calls. ------------------------------------------------


class Subtopic:
    def __init__(
        self,
        name: str,
        negative_marker: str,
        positive_marker: str,
        prompts: tuple[str, ...],
        negative: tuple[str, ...],
        positive: tuple[str, ...],
    ) -> None:
        self.name = name
        self.negative_marker = negative_marker
        self.positive_marker = positive_marker
        self.prompts = prompts
        self.negative = negative
        self.positive = positive


def _topic(
    name: str, neg: str, pos: str, prompts: tuple[str, ...], neg_tails: tuple[str, ...], pos_tails: tuple[str, ...]
) -> Subtopic:
    openers = ("", "Honestly, ", "I'll be direct: ", "From where I sit, ")

    def say(opener: str, core: str, tail: str) -> str:
        text = f"{opener}{core}{tail}"
        return text[0].upper() + text[1:]

    negative = tuple(say(opener, neg, tail) for opener, tail in zip(openers, neg_tails * 2, strict=False))
    positive = tuple(say(opener, pos, tail) for opener, tail in zip(openers, pos_tails * 2, strict=False))
    return Subtopic(name, neg, pos, prompts, negative, positive)


SUBTOPICS: dict[str, tuple[Subtopic, ...]] = {
    "b2b": (
        _topic(
            "Pricing and budget fit",
            "the pricing is a sticking point",
            "the pricing fits our budget",
            ("How does the pricing look to you?", "Any thoughts on the numbers in the proposal?"),
            (" - it's well above what we planned.", "; finance pushed back on the total."),
            (", which makes this easy to take forward.", " as long as the payment schedule holds."),
        ),
        _topic(
            "Product capabilities",
            "the features fall short",
            "the features cover what we need",
            ("Did the product do what you expected in the demo?", "How did the feature walkthrough land?"),
            (" on reporting, which matters most to us.", " for our larger sites."),
            (", especially the scheduling piece.", " and the team liked the interface."),
        ),
        _topic(
            "Implementation and onboarding",
            "the rollout plan worries us",
            "the rollout plan looks solid",
            ("How do you feel about the implementation plan?", "Any concerns about getting it deployed?"),
            (" because we can't afford downtime on the lines.", "; six weeks feels too long."),
            (" and the phased approach suits us.", ", and your onboarding team was clear."),
        ),
        _topic(
            "Support and service",
            "your support experience has been poor",
            "your support team has been great",
            ("How have things been with our support team?", "What do you expect from support?"),
            (" based on what our sister plant went through.", "; tickets sat for days last year."),
            (" whenever our engineers called.", " during the pilot."),
        ),
        _topic(
            "Integration with existing systems",
            "the integration looks painful",
            "the integration looks straightforward",
            ("How will this fit with your current systems?", "Did IT look at the integration?"),
            (" with our ERP in the middle of an upgrade.", "; IT expects a lot of custom work."),
            (" with the connectors you already have.", " according to our IT lead."),
        ),
        _topic(
            "Security and compliance",
            "the security review raised concerns",
            "the security review went well",
            ("Where are you with the security review?", "Any compliance questions from your side?"),
            (" about where the data is stored.", "; audit logging is a gap for us."),
            (" and compliance signed off quickly.", ", with no open findings."),
        ),
        _topic(
            "Scalability and roadmap",
            "the roadmap doesn't convince us",
            "the roadmap lines up with our plans",
            ("How does our roadmap fit your plans?", "Will this scale with you over the next few years?"),
            (" for the growth we expect next year.", "; we need multi-site support sooner."),
            (" for the next three years.", " and scaling to new sites looks simple."),
        ),
        _topic(
            "Competing offers",
            "the other offer looks better",
            "your offer stands out",
            (
                "How do we compare with the other vendors you're talking to?",
                "Where do we stand against the alternatives?",
            ),
            (" on price and terms, to be frank.", "; they included training at no cost."),
            (" against the alternatives we looked at.", " on total value."),
        ),
    ),
    "b2c": (
        _topic(
            "Price and value",
            "the price is a sticking point",
            "the price feels fair",
            ("How does the price look to you?", "What did you think of the total?"),
            (" - it's more than I wanted to spend.", "; I saw it cheaper last month."),
            (" for what I'm getting.", ", especially with the bundle."),
        ),
        _topic(
            "Product features",
            "the features fall short",
            "the features cover what I need",
            ("Did the product do what you hoped?", "How did the features compare to what you expected?"),
            (" on battery life.", "; the camera was a letdown."),
            (", the screen is great.", " and it's easy to use."),
        ),
        _topic(
            "Setup and installation",
            "the setup worries me",
            "the setup looks easy",
            ("How do you feel about setting it up?", "Any concerns about installation?"),
            (" because I'm not very technical.", "; last time it took a whole weekend."),
            (" with the step-by-step guide.", " and the installer visit helps."),
        ),
        _topic(
            "Customer support",
            "your support experience has been poor",
            "your support team has been great",
            ("How have things been with our support team?", "Have you needed help from support before?"),
            (" from what I went through last year.", "; I waited an hour on the phone."),
            (" every time I've called.", " with my last order."),
        ),
        _topic(
            "Compatibility with my devices",
            "the compatibility looks like a problem",
            "the compatibility looks fine",
            ("Will it work with the devices you already have?", "Did you check it against your current setup?"),
            (" with my older phone.", "; my smart speaker isn't on the list."),
            (" with everything I own.", " with my phone and laptop."),
        ),
        _topic(
            "Warranty and returns",
            "the warranty terms are a concern",
            "the warranty terms reassure me",
            ("Any questions about the warranty or returns?", "How do you feel about the return policy?"),
            (" since it's only one year.", "; the return window is short."),
            (" and the two-year cover is nice.", ", the free returns help."),
        ),
        _topic(
            "Delivery and availability",
            "the delivery dates are a problem",
            "the delivery dates work for me",
            ("Does the delivery window work for you?", "How important is delivery timing?"),
            (" because I need it before a trip.", "; three weeks is too long."),
            (" and I can pick it up in store.", ", next week is perfect."),
        ),
        _topic(
            "Competing offers",
            "the other offer looks better",
            "your offer stands out",
            ("How do we compare with other stores you've looked at?", "Are you considering other brands?"),
            (" with a longer warranty.", "; they threw in accessories."),
            (" compared with the other stores.", " on overall value."),
        ),
    ),
}

GREETINGS = (
    ("Hi {contact}, thanks for making the time today.", "Happy to. Let's get into it."),
    ("Good morning {contact}, is now still a good time?", "Yes, go ahead."),
    ("Hello {contact}, thanks for picking up.", "Sure, I have about twenty minutes."),
    ("Hi {contact}, following up on our last conversation.", "Great, I've had time to think about it."),
)
CLOSINGS = (
    ("I'll send a summary and the next steps by email.", "Sounds good, talk soon."),
    ("Let's pencil in a follow-up next week.", "That works. Thanks."),
    ("I'll loop back once I have answers on the open points.", "Perfect, thank you."),
    ("Thanks again, I'll put the notes in writing.", "Thanks, bye."),
)
OBJECTION_REPLIES = (
    "I hear you. Let me take that back to the team and see what we can do.",
    "That's fair. Can I come back with a couple of options?",
    "Understood, I'd rather sort that out now than later.",
)
COMPETITOR_LINES = (
    "We're also talking to {competitor}, just so you know.",
    "{competitor} reached out to us last week as well.",
    "We have a proposal from {competitor} on the table too.",
)
LOCATION_LINES = {
    "b2b": (
        "We're based in {city}, {state}, with most of the team on site.",
        "Our main office is in {city}, {state}.",
        "I'm in our {city}, {state} office.",
    ),
    "b2c": ("I live in {city}, {state}.", "I'm over in {city}, {state}.", "We're in {city}, {state}."),
}
