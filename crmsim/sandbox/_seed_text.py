"""Text pools for the seed dataset: names, products, issues, articles and phrases per org.

Kept apart from :mod:`crmsim.sandbox.seed` so that the generator reads as logic and the pools as data.
"""

from __future__ import annotations

from dataclasses import dataclass

FIXTURE_ACCOUNT_NAME = "Acme Corporation"
"""b2b: an Account of this name (with a child account, Acme Robotics). b2c has person accounts."""
FIXTURE_PRODUCT_PHRASE = "battery overheating"
"""Both orgs: exactly one Product2 has this phrase in its Description."""
FIXTURE_ARTICLE_TITLE = "Data security in finance and healthcare"
"""Both orgs: the Title of one online Knowledge__kav article."""
FIXTURE_APOSTROPHE_NAME = "Declan O'Brien"
"""Both orgs: a Contact of this name; in b2c also a person Account, in b2b he works at an
account named "O'Brien Freight Services"."""
FIXTURE_UNICODE_NAME = "Zoë Lambert"
"""Both orgs: a Contact of this name (in b2c also a person Account); the only non-ASCII text."""
FIXTURE_PERCENT_SUBJECT = "Promo code for 20% off was not applied at checkout"
"""Both orgs: the Subject of one Case, the only Case Subject containing '%'."""
FIXTURE_UNDERSCORE_CODE = "PWR_BANK_20K"
"""Both orgs: the ProductCode of one Product2, the only ProductCode containing '_'."""

PROFILES = ("System Administrator", "Standard User", "Service Agent", "Sales Representative")
SERVICE_AGENTS = (("Maya", "Chen"), ("Jordan", "Reyes"), ("Priya", "Natarajan"),
                   ("Samuel", "Okafor"), ("Elena", "Petrova"), ("Marcus", "Webb"),
                   ("Hannah", "Kowalski"))
INACTIVE_AGENT = ("Hannah", "Kowalski")  # has left the company: inactive, owns nothing
SALES_REPS = (("Diego", "Alvarez"), ("Grace", "Liu"), ("Tobias", "Lindgren"),
               ("Aisha", "Rahman"), ("Connor", "Walsh"))
TERRITORIES = (("US West", "CA,OR,WA,NV,AZ"), ("US Mountain", "CO,UT,ID,MT,NM"),
                ("US Central", "TX,IL,MN,MO,OH"), ("US Northeast", "NY,MA,PA,NJ,CT"),
                ("US Southeast", "FL,GA,NC,VA,TN"))
AREA_CODES = ("415", "503", "206", "303", "512", "312", "212", "617", "305", "404")
FIRST_NAMES = ("James", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "William",
                "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
                "Sarah", "Carlos", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony",
                "Betty", "Mark", "Margaret", "Steven", "Sandra", "Paul", "Ashley", "Andrew",
                "Kimberly", "Joshua", "Emily", "Kevin", "Donna", "Brian", "Michelle", "George",
                "Carol")
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
               "Rodriguez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson",
               "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
               "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
               "Torres", "Hill", "Green", "Adams", "Baker", "Nelson", "Mitchell", "Campbell",
               "Roberts")


@dataclass(frozen=True)
class ProductText:
    name: str
    code: str
    family: str
    category: str
    price: float
    description: str


@dataclass(frozen=True)
class IssueText:
    name: str
    description: str
    products: tuple[str, ...]
    symptom: str
    subjects: tuple[str, str]
    priority: str


@dataclass(frozen=True)
class OrgText:
    catalog: str
    products: tuple[ProductText, ...]
    second_pricebook: tuple[str, str, float]  # name, description, share of the list price
    issues: tuple[IssueText, ...]
    lead_companies: tuple[str, ...]
    lead_titles: tuple[str, ...]


B2B_TEXT = OrgText(
    catalog="Industrial Solutions Catalog",
    products=(
        ProductText("Volt X200 Battery Pack", "HW-2001", "Hardware", "Power Systems", 1450.0,
                 "Lithium iron phosphate battery pack for remote gateways and sensors. Firmware "
                 "3.2 adds a thermal cutoff after field reports of battery overheating during "
                 "sustained fast charging."),
        ProductText("PowerBank 20K Field Charger", FIXTURE_UNDERSCORE_CODE, "Hardware",
                 "Power Systems", 189.0,
                 "Portable 20,000 mAh charger for technicians servicing equipment in the field."),
        ProductText("Solar Charge Controller SC-40", "HW-2003", "Hardware", "Power Systems", 640.0,
                 "40 amp MPPT controller that keeps off-grid battery banks charged from solar "
                 "panels."),
        ProductText("ThermoSense Temperature Sensor", "HW-3001", "Hardware", "Sensors and Monitoring",
                 95.0, "Wireless temperature probe for cold rooms, pipelines and server racks, "
                 "reporting every 30 seconds."),
        ProductText("Vibration Monitor VM-8", "HW-3002", "Hardware", "Sensors and Monitoring", 780.0,
                 "Eight-channel vibration monitor that flags bearing wear on motors and pumps "
                 "before they fail."),
        ProductText("FlowMeter Pro 500", "HW-3003", "Hardware", "Sensors and Monitoring", 1120.0,
                 "Ultrasonic clamp-on flow meter for water, fuel and chemical lines."),
        ProductText("EdgeLink Gateway G3", "HW-4001", "Hardware", "Connectivity", 2300.0,
                 "Industrial gateway with LTE and Wi-Fi that collects sensor data and forwards it "
                 "to the cloud."),
        ProductText("Rugged Tablet T10", "HW-4002", "Hardware", "Connectivity", 1290.0,
                 "Drop-tested 10 inch tablet for field crews, sealed against dust and water."),
        ProductText("FleetView Analytics License", "SW-5001", "Software", "Software", 4800.0,
                 "Annual license for dashboards and reports on equipment health across all "
                 "sites."),
        ProductText("GridPulse Monitoring Suite", "SW-5002", "Software", "Software", 7200.0,
                 "Real-time monitoring and alerting for energy assets, with outage prediction."),
        ProductText("SecureSync Data Vault", "SW-5003", "Software", "Software", 3600.0,
                 "Encrypted storage for sensor history with audit trails for regulated "
                 "industries."),
        ProductText("EdgeLink Device Manager", "SW-5004", "Software", "Software", 1500.0,
                 "Remote configuration and firmware rollout for EdgeLink gateways."),
        ProductText("On-site Installation", "SV-6001", "Services", "Professional Services", 2500.0,
                 "Certified technicians install and commission hardware at one customer site."),
        ProductText("Premium Support Plan", "SV-6002", "Services", "Professional Services", 5400.0,
                 "Phone support around the clock with a four-hour response target for one "
                 "year."),
        ProductText("Predictive Maintenance Onboarding", "SV-6003", "Services",
                 "Professional Services", 8800.0,
                 "Six-week program that models failure patterns and tunes alerts for the "
                 "customer's equipment."),
    ),
    second_pricebook=("Partner Price Book", "Discounted prices for reseller partners", 0.8),
    issues=(
        IssueText("Battery pack overheating during fast charge",
               "Packs on firmware older than 3.2 can exceed a safe temperature when fast charged "
               "for more than an hour. Update the firmware and limit charge current to 20 A.",
               ("Volt X200 Battery Pack",), "gets very hot and shuts down while charging",
               ("{product} overheating while charging", "{product} shuts down hot after charging"),
               "High"),
        IssueText("Gateway drops cellular connection",
               "Gateways lose LTE registration after a tower handover and stay offline until "
               "rebooted. Fixed in gateway firmware 5.1.4.",
               ("EdgeLink Gateway G3", "EdgeLink Device Manager"),
               "keeps going offline and only comes back after a reboot",
               ("{product} offline several times a day", "{product} loses LTE connection"),
               "High"),
        IssueText("Sensor readings freeze after firmware update",
               "After sensor firmware 2.8 some probes repeat their last value instead of sending "
               "fresh readings. Applying 2.8.1 clears it.",
               ("ThermoSense Temperature Sensor", "Vibration Monitor VM-8", "FlowMeter Pro 500"),
               "shows the same reading for hours since the last update",
               ("{product} stuck on the same value", "Stale readings from {product}"), "Medium"),
        IssueText("License key rejected after renewal",
               "Renewed licenses come with a new key but the old one stays cached on the server, "
               "so activation fails. Clearing the license cache and entering the new key fixes "
               "it.",
               ("FleetView Analytics License", "GridPulse Monitoring Suite",
                "SecureSync Data Vault", "EdgeLink Device Manager"),
               "rejects our license key since we renewed",
               ("{product} license key rejected", "Cannot activate {product} after renewal"),
               "Medium"),
        IssueText("Dashboard shows stale telemetry",
               "Dashboards can lag by several hours when the ingestion queue backs up during bulk "
               "imports.",
               ("FleetView Analytics License", "GridPulse Monitoring Suite"),
               "shows data that is hours behind",
               ("{product} dashboard not updating", "Delayed data in {product}"), "Low"),
        IssueText("Tablet touchscreen unresponsive in cold weather",
               "Below -10 C the touchscreen misses taps unless glove mode is on, and glove mode "
               "is off by default in image 4.0.",
               ("Rugged Tablet T10",), "ignores touches when our crews work outside in the cold",
               ("{product} touchscreen not responding outdoors", "{product} screen fails in cold"),
               "Medium"),
        IssueText("Charge controller reports false fault codes",
               "Controllers on firmware 1.9 raise fault E42 when panel voltage dips briefly at "
               "dawn. The fault is harmless and firmware 2.0 removes it.",
               ("Solar Charge Controller SC-40", "PowerBank 20K Field Charger"),
               "shows fault code E42 every morning",
               ("{product} showing fault E42", "False alarms from {product}"), "Low"),
        IssueText("Installation visit rescheduled without notice",
               "Dispatch changes to visits were not sent to the customer contact because of an "
               "error in the notification template.",
               ("On-site Installation", "Premium Support Plan",
                "Predictive Maintenance Onboarding"),
               "visit was moved and nobody told us",
               ("{product} visit rescheduled without notice", "Missed appointment for {product}"),
               "Medium"),
    ),
    lead_companies=("Stonebridge Manufacturing", "Clearwater Analytics", "Maple Leaf Distributors",
                    "Horizon Health Partners", "Tidewater Shipping", "Copperfield Schools",
                    "Evergreen Power Co-op", "Atlas Payments", "Riverbend Clinics",
                    "Sunset Transit Authority", "Brightwave Media"),
    lead_titles=("Operations Manager", "VP of Engineering", "Facilities Director",
                 "IT Manager", "Chief Technology Officer", "Procurement Lead", "Plant Manager"),
)

B2C_TEXT = OrgText(
    catalog="Home Electronics Catalog",
    products=(
        ProductText("AuraSound Wireless Earbuds", "AU-1001", "Hardware", "Audio", 129.99,
                 "True wireless earbuds with noise cancelling and eight hours of playback per "
                 "charge."),
        ProductText("AuraSound Over-Ear Headphones", "AU-1002", "Hardware", "Audio", 249.99,
                 "Foldable over-ear headphones with adaptive noise cancelling and a 30 hour "
                 "battery."),
        ProductText("Lumo Smart Speaker", "SH-2001", "Hardware", "Smart Home", 99.99,
                 "Voice-controlled speaker that plays music and runs routines for Lumo devices."),
        ProductText("Lumo Smart Bulb 4-Pack", "SH-2002", "Hardware", "Smart Home", 59.99,
                 "Four dimmable color bulbs that pair with the Lumo app or speaker."),
        ProductText("Hearth Smart Thermostat", "SH-2003", "Hardware", "Smart Home", 179.99,
                 "Learning thermostat that adjusts heating and cooling to your schedule."),
        ProductText("Clearview Video Doorbell", "SH-2004", "Hardware", "Smart Home", 149.99,
                 "HD doorbell camera with motion alerts and two-way talk."),
        ProductText("Nimbus Robot Vacuum", "SH-2005", "Hardware", "Smart Home", 399.99,
                 "Self-emptying robot vacuum with room mapping and scheduled cleaning."),
        ProductText("Breeze Air Purifier", "SH-2006", "Hardware", "Smart Home", 219.99,
                 "HEPA air purifier for rooms up to 500 square feet, with an air quality sensor."),
        ProductText("VoltGo Power Bank 20K", FIXTURE_UNDERSCORE_CODE, "Hardware",
                 "Wearables and Power", 49.99,
                 "Slim 20,000 mAh power bank with USB-C fast charging. Units from the first batch "
                 "are covered by a recall after reports of battery overheating."),
        ProductText("Pulse Fitness Band", "WP-3002", "Hardware", "Wearables and Power", 89.99,
                 "Water-resistant fitness band that tracks steps, heart rate and sleep."),
        ProductText("Lumo Home Premium Subscription", "SB-4001", "Software", "Subscriptions", 49.99,
                 "Yearly plan with 60 days of cloud video history and smart home automations."),
        ProductText("Pulse Coaching App Annual", "SB-4002", "Software", "Subscriptions", 69.99,
                 "Personal training plans and sleep coaching in the Pulse app for one year."),
        ProductText("Extended Warranty 2 Years", "PS-5001", "Services", "Protection and Services",
                 39.99, "Adds two years of repair or replacement after the manufacturer warranty "
                 "ends."),
        ProductText("Device Protection Plan", "PS-5002", "Services", "Protection and Services", 79.99,
                 "Covers drops, spills and cracked screens for one device for two years."),
        ProductText("In-Home Setup", "PS-5003", "Services", "Protection and Services", 119.99,
                 "A technician installs and connects up to five smart home devices."),
    ),
    second_pricebook=("Member Price Book", "Prices for loyalty program members", 0.9),
    issues=(
        IssueText("Power bank overheating while charging",
               "Early units can get hot when charged overnight with a third-party adapter. "
               "Affected serial numbers qualify for a free replacement.",
               ("VoltGo Power Bank 20K",), "gets really hot when I charge it overnight",
               ("{product} gets hot while charging", "Is my {product} safe? It overheats"),
               "High"),
        IssueText("Earbuds lose Bluetooth pairing",
               "After update 1.4 some devices forget their pairing when put back in the case. "
               "Resetting them and installing 1.4.2 fixes it.",
               ("AuraSound Wireless Earbuds", "AuraSound Over-Ear Headphones"),
               "keeps disconnecting from my phone",
               ("{product} keeps disconnecting", "{product} will not stay paired"), "Medium"),
        IssueText("Speaker ignores wake word",
               "Speakers set to a non-default language can stop hearing the wake word until the "
               "voice model is downloaded again.",
               ("Lumo Smart Speaker",), "does not respond when I say the wake word",
               ("{product} not responding to voice", "{product} wake word stopped working"),
               "Medium"),
        IssueText("Smart bulbs flicker after update",
               "Bulbs on firmware 3.1 flicker at low brightness on older dimmer switches. "
               "Firmware 3.1.1 smooths the dimming curve.",
               ("Lumo Smart Bulb 4-Pack",), "flickers at low brightness since the update",
               ("{product} flickering", "{product} flicker after update"), "Low"),
        IssueText("Robot vacuum stops mid-clean",
               "A dirty dust sensor window makes the vacuum stop mid-clean with error 7. Cleaning "
               "the window clears it.",
               ("Nimbus Robot Vacuum",), "stops halfway through cleaning with error 7",
               ("{product} stops with error 7", "{product} quits mid-clean"), "Medium"),
        IssueText("Subscription charged twice",
               "Customers who changed their payment method during renewal were billed twice. The "
               "duplicate charge is refunded automatically within 10 days.",
               ("Lumo Home Premium Subscription", "Pulse Coaching App Annual"),
               "was charged twice this month",
               ("Charged twice for {product}", "Duplicate charge for {product}"), "Medium"),
        IssueText("Devices drop off home Wi-Fi",
               "Devices on the 5 GHz band of some mesh routers disconnect every few hours. "
               "Moving them to the 2.4 GHz band keeps them online.",
               ("Clearview Video Doorbell", "Hearth Smart Thermostat", "Breeze Air Purifier"),
               "keeps dropping off my Wi-Fi",
               ("{product} keeps going offline", "{product} Wi-Fi connection drops"), "Medium"),
        IssueText("Protection plan claim not found",
               "Plans bought in the same order as a device were not linked to its serial number, "
               "so claims could not be found.",
               ("Extended Warranty 2 Years", "Device Protection Plan"),
               "claim cannot be found in your system",
               ("Claim under {product} not found", "{product} claim rejected"), "Low"),
    ),
    lead_companies=(),
    lead_titles=(),
)

B2B_ACCOUNTS = (  # name, industry, employees, type, parent name
    (FIXTURE_ACCOUNT_NAME, "Manufacturing", 5200, "Customer", None),
    ("Acme Robotics", "Manufacturing", 640, "Customer", FIXTURE_ACCOUNT_NAME),
    ("O'Brien Freight Services", "Transportation", 310, "Customer", None),
    ("Northwind Traders", "Retail", 880, "Customer", None),
    ("Bluewater Energy", "Energy", 2400, "Customer", None),
    ("Cedar Valley Health", "Healthcare", 1900, "Customer", None),
    ("Summit Ridge Bank", "Finance", 3100, "Customer", None),
    ("Brightpath Learning", "Education", 150, "Customer", None),
    ("Ironclad Metals", "Manufacturing", 1250, "Customer", None),
    ("Lumen Telecom", "Telecommunications", 4300, "Customer", None),
    ("Harborview Logistics", "Transportation", 720, "Customer", None),
    ("Pinecrest Medical Group", "Healthcare", 560, "Customer", None),
    ("Granite State Credit Union", "Finance", 230, "Customer", None),
    ("Vertex Software Labs", "Technology", 95, "Customer", None),
    ("Redwood Civic Services", "Government", 1400, "Customer", None),
    ("Silverline Retail Group", "Retail", 2750, "Customer", None),
    ("Orchid Biotech", "Healthcare", 380, "Customer", None),
    ("Quantum Grid Solutions", "Energy", 610, "Partner", None),
    ("Nimbus Cloud Systems", "Technology", 1100, "Partner", None),
    ("Keystone Public Schools", "Education", 2100, "Customer", None),
    ("Meridian Insurance Partners", "Finance", 940, "Other", None),
    ("Falcon Aerospace Parts", "Manufacturing", 1750, "Prospect", None),
    ("Coastal Freightways", "Transportation", 420, "Prospect", None),
    ("Prairie Wind Utilities", "Energy", 860, "Prospect", None),
    ("Beacon City Transit", "Government", 1300, "Prospect", None),
)
B2C_PEOPLE = (("Declan", "O'Brien"), ("Zoë", "Lambert"), ("Olivia", "Martinez"),
               ("Liam", "Johnson"), ("Emma", "Thompson"), ("Noah", "Patel"), ("Ava", "Kim"),
               ("Ethan", "Brooks"), ("Sophia", "Nguyen"), ("Mason", "Rivera"),
               ("Isabella", "Carter"), ("Lucas", "Schmidt"), ("Mia", "Hughes"),
               ("Benjamin", "Foster"), ("Charlotte", "Ward"), ("Henry", "Sullivan"),
               ("Amelia", "Park"), ("Jack", "Bennett"), ("Harper", "Diaz"), ("Owen", "Fischer"),
               ("Ella", "Murphy"), ("Wyatt", "Coleman"), ("Grace", "Ortiz"), ("Leo", "Jensen"),
               ("Chloe", "Ramirez"))

GENERAL_CASES = (  # subject, description; {product} and {order} are filled in
    ("Question about invoice for order {order}",
     "The customer asked why the invoice for order {order} shows a different total than the "
     "quote they accepted."),
    ("Request for {product} documentation",
     "The customer needs the installation guide and safety data sheet for the {product}."),
    ("How do I return the {product}?",
     "The customer wants to return the {product} and asked about the return window and a "
     "shipping label."),
    ("Delivery status for order {order}",
     "Order {order} shows as shipped but the tracking number has not updated in five days."),
    ("Update billing contact",
     "Please change the billing contact on the account to the person named in the email."),
)

ARTICLES = (  # title, summary, answer
    (FIXTURE_ARTICLE_TITLE,
     "How customer data is protected for clients in regulated industries such as banking and "
     "health care.",
     "All customer data is encrypted at rest with AES-256 and in transit with TLS 1.2 or later. "
     "Customers in finance and healthcare get dedicated storage, quarterly access reviews and "
     "audit logs kept for seven years. Agents must never ask a customer to send account numbers "
     "or patient information by email; send them to the secure upload portal instead."),
    ("Return and refund policy",
     "Which purchases can be returned, for how long, and how refunds are paid.",
     "Products can be returned within 30 days of delivery for a full refund. Opened software and "
     "completed services cannot be refunded. Refunds go back to the original payment method "
     "within 10 business days of receiving the item."),
    ("Warranty coverage and claims",
     "What the standard warranty covers and how to file a claim.",
     "Hardware carries a one-year warranty from the delivery date covering defects in materials "
     "and workmanship. Damage from drops, water or unauthorized repair is not covered. To file a "
     "claim, collect the serial number and proof of purchase and open a case."),
    ("Handling battery overheating reports",
     "Safety steps when a customer reports a hot, swollen or smoking battery.",
     "Treat any report of battery overheating, swelling or a burning smell as High priority. Tell "
     "the customer to stop charging, unplug the device and keep it away from anything that can "
     "burn. Check the serial number against the recall list and offer a replacement if it "
     "matches."),
    ("Updating device firmware safely",
     "How to install firmware updates without interrupting service.",
     "Install updates while the device is on mains power and connected to a stable network. Do "
     "not power it off during the update. If an update fails twice, roll back to the previous "
     "version from the device manager and open a case."),
    ("Resetting a device to factory settings",
     "When and how to perform a factory reset.",
     "A factory reset erases settings and pairings. Hold the reset button for ten seconds until "
     "the light blinks, then set the device up again in the app. Suggest a reset only after a "
     "restart and a firmware update have not helped."),
    ("Billing disputes and duplicate charges",
     "How to handle a customer who was charged twice or disputes a charge.",
     "Confirm both charges in the billing system. Duplicate charges are refunded automatically "
     "within 10 days; if they are older than that, issue a manual refund and note it on the "
     "case."),
    ("Order shipping times and tracking",
     "Standard delivery times and what to do when tracking stops updating.",
     "Standard shipping takes 3 to 5 business days and express 1 to 2. If tracking has not "
     "changed for five business days, open a trace with the carrier and offer a replacement "
     "shipment."),
    ("Case escalation policy",
     "When a case must be escalated and who takes it over.",
     "Escalate a case when it has been open more than five business days, when the customer asks "
     "for a manager twice, or when the problem affects safety. Escalated cases are assigned to a "
     "senior agent within four hours."),
    ("Quote discount approval policy",
     "Discount limits for quotes and who approves larger discounts.",
     "Sales reps may discount up to 10 percent without approval. Discounts from 10 to 20 percent "
     "need the sales manager's approval, and anything above 20 percent needs the vice president "
     "of sales. Quotes are valid for 30 days."),
    ("Contract renewal terms",
     "How contracts renew and how either side can end them.",
     "Contracts renew automatically for 12 months unless either party gives notice 60 days "
     "before the end date. Prices at renewal may rise by at most the published yearly "
     "adjustment."),
    ("Connecting devices to Wi-Fi and cellular networks",
     "Network requirements and troubleshooting steps for connected devices.",
     "Devices need a 2.4 GHz Wi-Fi network or an active cellular plan. Move the device closer to "
     "the router, make sure the network name has no special characters, and restart the router "
     "before pairing again."),
)

OPP_KINDS = ("rollout", "expansion", "renewal", "pilot", "upgrade")
OPP_REASONS = ("replacing aging equipment", "a new site opening this year",
                "cutting unplanned downtime", "a compliance audit", "consolidating vendors")
OBJECTIONS = (("The price is a bit above what we planned.",
                "I can check what discount the approval policy allows."),
               ("We need it installed before the end of the quarter.",
                "Our team can schedule installation within two weeks of signing."),
               ("Our IT team has questions about data security.",
                "I'll send our security overview and set up a call with an engineer."))
TASK_SUBJECTS = ("Send follow-up email", "Prepare revised quote", "Schedule product demo",
                  "Confirm budget with finance", "Review contract redlines")
CASE_TASK_SUBJECTS = ("Call customer about case {n}", "Check replacement shipment for case {n}",
                       "Confirm fix with customer for case {n}")
STAGES = (("Qualification", 6, 10.0), ("Discovery", 5, 20.0), ("Quote", 5, 50.0),
           ("Negotiation", 5, 75.0), ("Closed", 9, None))
