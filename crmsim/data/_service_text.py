"""Text pools for the service stage: known issues, case wording, agent replies and sentiment.

Kept apart from the planning code so the stage reads as logic and these pools as data. Templates
use ``str.format`` fields: ``{product}``, ``{component}``, ``{line}``, ``{code}`` and a few more
named where they are used.
"""

from __future__ import annotations

from dataclasses import dataclass

# Four parts per product line that known issues are about (index i -> the line's i-th issue).
LINE_COMPONENTS: dict[str, tuple[str, ...]] = {
    "Power Management": ("load scheduler", "meter firmware", "backup power module", "energy dashboard"),
    "Analytics Software": ("forecast engine", "dashboard builder", "data connector", "report scheduler"),
    "Security Platforms": ("encryption agent", "access console", "key vault", "threat monitor"),
    "Networking": ("edge router", "site-to-site tunnel", "mesh access point", "network controller"),
    "Industrial Sensors": ("vibration probe", "temperature sensor", "sensor gateway", "calibration tool"),
    "Automation": ("pick-and-place arm", "conveyor controller", "vision module", "safety interlock"),
    "Cloud Services": ("backup agent", "workload console", "storage tier", "monitoring service"),
    "Field Hardware": ("rugged tablet", "charging dock", "barcode handheld", "battery pack"),
    "Compute": ("accelerator card", "cluster scheduler", "training service", "cooling unit"),
    "Collaboration": ("video room system", "shared whiteboard", "meeting scheduler", "conference camera"),
    "Smartphones": ("battery", "camera app", "touchscreen", "charging port"),
    "Laptops": ("keyboard", "battery", "display", "Wi-Fi adapter"),
    "Headphones": ("Bluetooth pairing", "noise cancelling", "charging case", "microphone"),
    "Smart Home": ("companion app", "Wi-Fi module", "motion sensor", "thermostat firmware"),
    "Wearables": ("heart-rate sensor", "step counter", "strap clasp", "sync app"),
    "Power & Charging": ("fast-charge circuit", "USB-C port", "cable connector", "charge indicator"),
    "Kitchen": ("heating element", "control panel", "timer", "lid seal"),
    "Gaming": ("controller", "console fan", "online account", "HDMI output"),
    "Cameras": ("autofocus", "memory card slot", "image stabilizer", "lens mount"),
    "Audio": ("subwoofer", "voice assistant", "streaming app", "remote control"),
    "Tablets": ("stylus", "screen", "charging port", "app store sign-in"),
    "Personal Care": ("blade head", "battery", "charging stand", "power button"),
}
DEFAULT_COMPONENTS = ("main unit", "companion app", "firmware", "power supply")


@dataclass(frozen=True)
class Failure:
    """A way a component fails: the issue's name and text, how customers describe it, the fix."""

    title: str  # "{Component} ..." (capitalised component)
    known: str  # completes "the {component} of affected units ..."
    symptoms: tuple[str, ...]  # first person, complete sentences
    subjects: tuple[str, ...]
    workaround: str
    priority: str


FAILURES: tuple[Failure, ...] = (
    Failure(
        "{Component} stops responding after firmware update",
        "stops responding after the latest firmware update is installed",
        (
            "Since the last firmware update the {component} on our {product} does not respond at all.",
            "Right after the update finished, the {component} of the {product} froze and never came back.",
        ),
        ("{product} unresponsive after update", "Update broke the {component} on {product}"),
        "roll back to the previous firmware from the settings menu and pause automatic updates",
        "High",
    ),
    Failure(
        "{Component} reports inaccurate readings",
        "reports values that drift away from the true reading over a few days",
        (
            "The {component} on the {product} shows numbers that are clearly wrong.",
            "Readings from the {product} {component} no longer match what we measure by hand.",
        ),
        ("Wrong readings from {product}", "{product} {component} values are off"),
        "run the calibration routine and compare against a reference measurement",
        "Medium",
    ),
    Failure(
        "{Component} drops its connection intermittently",
        "loses its network connection several times a day and reconnects after a few minutes",
        (
            "The {component} of our {product} keeps disconnecting, several times a day.",
            "Every few hours the {product} loses its connection and we have to wait for it to come back.",
        ),
        ("{product} keeps disconnecting", "Intermittent connection drops on {product}"),
        "move the unit to a fixed channel and turn off power saving on the network interface",
        "High",
    ),
    Failure(
        "{Component} fails to sync data",
        "stops syncing data and shows the last successful sync as several days old",
        (
            "Nothing from the {product} has synced for days; the {component} says the last sync was last week.",
            "The {component} on the {product} will not sync our data anymore.",
        ),
        ("{product} not syncing", "Sync failure on {product} {component}"),
        "sign out, clear the local cache and start a manual sync",
        "Medium",
    ),
    Failure(
        "{Component} overheats under sustained load",
        "runs hot and throttles after about an hour of heavy use",
        (
            "After an hour of use the {component} of the {product} gets very hot and slows down.",
            "The {product} overheats; the {component} is too hot to touch after a while.",
        ),
        ("{product} overheating", "Overheating {component} on {product}"),
        "clean the vents, keep the unit off soft surfaces and install the thermal profile update",
        "High",
    ),
    Failure(
        "{Component} activation fails",
        "rejects a valid activation or sign-in with a generic error",
        (
            "The {product} keeps rejecting our activation even though the key is valid.",
            "I cannot get past activation on the {product}; the {component} says the code is invalid.",
        ),
        ("Cannot activate {product}", "Activation error on {product}"),
        "re-enter the code without spaces and make sure the device clock is set automatically",
        "Medium",
    ),
    Failure(
        "{Component} loses settings after restart",
        "forgets saved settings whenever the unit restarts",
        (
            "Every time the {product} restarts, the {component} forgets all of our settings.",
            "We have to set the {product} up again after each reboot; the {component} loses everything.",
        ),
        ("{product} resets its settings", "Settings lost on {product} restart"),
        "save the configuration as a profile and enable 'restore profile on start'",
        "Low",
    ),
    Failure(
        "{Component} slows down after upgrade",
        "becomes noticeably slower after the most recent software upgrade",
        (
            "Since the upgrade the {product} is much slower, especially the {component}.",
            "The {component} of the {product} takes ages to respond after the upgrade.",
        ),
        ("{product} slow after upgrade", "Performance drop on {product}"),
        "clear the cache and turn off the new background indexing option",
        "Low",
    ),
    Failure(
        "{Component} shows error code E{code} at startup",
        "shows error code E{code} during startup and stops",
        (
            "The {product} shows error E{code} when it starts and then stops.",
            "We get error code E{code} from the {component} every morning when we power on the {product}.",
        ),
        ("Error E{code} on {product}", "{product} startup error E{code}"),
        "power the unit off for two minutes and reseat the {component}",
        "Medium",
    ),
    Failure(
        "{Component} drains power unusually fast",
        "uses far more power than specified, even when idle",
        (
            "The {product} drains its power much faster than it used to, even when we are not using it.",
            "The {component} on the {product} seems to drain the battery overnight.",
        ),
        ("{product} drains power quickly", "Power drain on {product}"),
        "turn off always-on features and install the power management update",
        "Medium",
    ),
    Failure(
        "{Component} integration with third-party software fails",
        "fails to exchange data with third-party tools after their latest release",
        (
            "The {product} no longer talks to the other software we use; the {component} integration errors out.",
            "Our integration between the {product} {component} and our other tools stopped working.",
        ),
        ("{product} integration broken", "Third-party integration error on {product}"),
        "regenerate the integration token and switch the connector to the v2 endpoint",
        "Medium",
    ),
    Failure(
        "{Component} shuts down unexpectedly",
        "shuts down without warning during normal use",
        (
            "The {product} just switches itself off in the middle of normal use.",
            "Our {product} shuts down unexpectedly; the {component} seems to be the trigger.",
        ),
        ("{product} shuts down by itself", "Unexpected shutdowns on {product}"),
        "update to the latest firmware and check the {component} is seated correctly",
        "High",
    ),
)

# Cases not about a known defect (IssueId__c left empty): (subject, description).
GENERAL_TOPICS: tuple[tuple[str, str], ...] = (
    ("Question about invoice for {product}", "The invoice for the {product} shows a different amount than agreed."),
    ("Request for {product} documentation", "Could you send the full user manual and spec sheet for the {product}?"),
    ("Delivery status of {product}", "I have not received tracking details for the {product} I ordered."),
    ("How to add users to {product}", "We would like to give more colleagues access to the {product}."),
    ("Feature request for {product}", "It would help a lot if the {product} could export reports as CSV."),
)

SENTIMENTS = ("negative", "neutral", "neutral", "positive")
SENTIMENT_OPENERS: dict[str, tuple[str, ...]] = {
    "negative": (
        "This is really frustrating.",
        "I am quite disappointed, to be honest.",
        "This is the second time I have had to write about this.",
    ),
    "neutral": ("Hello, I need some help.", "Hi support team.", "Good morning, a quick problem report."),
    "positive": (
        "Thanks for the quick help last time.",
        "We are generally very happy with your products, but we hit a snag.",
    ),
}
B2B_CONTEXT = (
    "We run it at our {city} site.",
    "It is used by our operations team every day.",
    "We rely on it across several locations.",
    "Our technicians use it on every shift.",
)
B2C_CONTEXT = (
    "I use it every day at home.",
    "I bought it a little while ago.",
    "It was a gift and I have been using it daily.",
)
IMPACT = {
    "High": ("This is blocking our work.", "We cannot use it at all right now.", "Please treat this as urgent."),
    "Medium": ("It is slowing us down.", "It is getting in the way.", "It happens often enough to be a problem."),
    "Low": ("It is annoying rather than critical.", "Not urgent, but I would like it fixed."),
}
ASKS = ("Can you help?", "Please let me know what to do.", "What are the next steps?", "Is there a fix for this?")

AGENT_ACKS = (
    "Thank you for reaching out about your {product}. I'm sorry for the trouble and I'm looking into it now.",
    "Thanks for contacting us. I've reviewed your case about the {product} and I'm on it.",
    "I'm sorry to hear about the problem with your {product}. Let's get this sorted out.",
)
AGENT_STEPS = (
    "Could you please {workaround} and let me know if that helps?",
    "As a first step, please {workaround}. That resolves this for most customers.",
    "This is a known behaviour; the recommended workaround is to {workaround}.",
)
AGENT_GENERAL_STEPS = (
    "I've passed your request to the right team and will confirm the details within one business day.",
    "I've attached what we have on file; let me know if anything else is missing.",
)
AGENT_FOLLOWUPS = (
    "Just checking in: did the steps I sent help with the {product}?",
    "I wanted to follow up on your case. Is the {product} behaving as expected now?",
    "Our engineering team is still reviewing the logs from your {product}. I'll update you shortly.",
)
CUSTOMER_FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "negative": (
        "I tried that and it still does not work. I need a proper fix.",
        "No change at all. This has taken far too long.",
    ),
    "neutral": (
        "I tried the steps. It seems a bit better, but I'll keep an eye on it.",
        "Thanks. I'll try that tomorrow and get back to you.",
    ),
    "positive": ("That did the trick, thank you!", "Thanks, that worked. Much appreciated."),
}
AGENT_CLOSINGS = (
    "I'm glad the {product} is working again. I'm closing this case now; reply here if anything comes up.",
    "Since the issue is resolved, I'll close the case. Thank you for your patience.",
    "The fix has been confirmed, so I'm marking this case as closed. Have a great day.",
)
CUSTOMER_THANKS = ("Thank you for your help!", "Great, thanks for sorting this out.", "Appreciate the quick support.")

# Account-level service mail that is not about a case (sent from the support mailbox).
ORDER_NOTICES: tuple[tuple[str, str], ...] = (
    ("Your order {order} is confirmed", "Thank you for your order {order}. We will let you know when it ships."),
    ("Your order {order} has shipped", "Good news: order {order} is on its way. Tracking details are in the portal."),
)
NOTICES: tuple[tuple[str, str], ...] = (
    ("Service bulletin: {line}", "A new maintenance guide for {line} products is available in our knowledge base."),
    ("How did we do?", "We'd love your feedback on your recent experience with our support team."),
    ("Scheduled maintenance notice", "Our customer portal will be unavailable for planned maintenance this weekend."),
    ("Product update available for {line}", "A software update for {line} products is available. See release notes."),
    ("Security advisory for {line}", "Please install the latest security patch for your {line} products."),
)
