"""Stage 1: profiles, users, territories, accounts and contacts."""

from __future__ import annotations

from datetime import datetime, timedelta

from ._base import OrgGenerator
from ._records import Record, email_address, slug

PROFILES = ("System Administrator", "Service Agent", "Sales Representative", "Manager")
ADMIN_USERNAME = "admin@crmsim.local"

# Ten territories covering every state; descriptions are comma-separated state codes.
TERRITORIES = (
    ("Pacific Northwest", "WA,OR,ID,AK,MT"),
    ("California & Hawaii", "CA,HI,NV"),
    ("Southwest", "AZ,NM,UT,CO"),
    ("Texas & Plains", "TX,OK,KS,NE,SD,ND,WY"),
    ("Great Lakes", "MI,OH,IN,IL,WI,MN"),
    ("Heartland", "IA,MO,AR,LA,MS,KY,TN"),
    ("Southeast", "FL,GA,AL,SC,NC"),
    ("Mid-Atlantic", "VA,WV,MD,DE,DC,PA"),
    ("New York & New Jersey", "NY,NJ,CT"),
    ("New England", "MA,RI,VT,NH,ME"),
)
STATES = [state for _, states in TERRITORIES for state in states.split(",")]
INDUSTRIES = (
    "Technology",
    "Manufacturing",
    "Healthcare",
    "Finance",
    "Retail",
    "Energy",
    "Education",
    "Telecommunications",
    "Transportation",
    "Government",
)
ZONES = ("America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York")


def build_people(g: OrgGenerator) -> None:
    _users(g)
    _territories(g)
    _accounts(g)
    _contacts(g)


def _user(
    g: OrgGenerator,
    first: str,
    last: str,
    profile: Record,
    created: datetime,
    *,
    username: str | None = None,
    active: bool = True,
) -> Record:
    n = len(g.rows["User"]) + 1
    handle = f"{slug(first).replace(' ', '')}.{slug(last).replace(' ', '')}{n}"
    return g.add(
        "User",
        created,
        {
            "FirstName": first,
            "LastName": last,
            "Alias": (first[:1] + last[:4] + str(n))[:8].lower(),
            "Email": username or f"{handle}@{g.org}.crmsim.local",
            "Username": username or f"{handle}@{g.org}.crmsim.local",
            "Phone": g.phone(),
            "ProfileId": profile["Id"],
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "LocaleSidKey": "en_US",
            "TimeZoneSidKey": g.pick(list(ZONES)),
            "IsActive": active,
        },
    )


def _users(g: OrgGenerator) -> None:
    setup = g.start - timedelta(days=60)
    profiles = {name: g.add("Profile", setup, {"Name": name}) for name in PROFILES}
    g.cast.admin = _user(g, "CRM", "Admin", profiles["System Administrator"], setup, username=ADMIN_USERNAME)
    total = g.count("User") - 1
    managers = max(2, total // 40)
    agents = max(3, round((total - managers) * 0.45))
    reps = max(3, total - managers - agents)
    for group, profile, size in (
        (g.cast.managers, "Manager", managers),
        (g.cast.agents, "Service Agent", agents),
        (g.cast.reps, "Sales Representative", reps),
    ):
        for _ in range(size):
            first, last = g.person_name()
            group.append(_user(g, first, last, profiles[profile], g.between(setup, g.start)))


def _territories(g: OrgGenerator) -> None:
    created = g.start - timedelta(days=30)
    reps = list(g.cast.reps)
    g.rng.shuffle(reps)
    for name, states in TERRITORIES:
        territory = g.add("Territory2", created, {"Name": name, "Description": states})
        g.cast.territories.append(territory)
        g.cast.territory_reps[territory["Id"]] = []
        for state in states.split(","):
            g.cast.state_territory[state] = territory
    # Every rep belongs to one home territory; extra memberships fill the association target.
    wanted = g.count("UserTerritory2Association")
    territories = g.cast.territories
    memberships: set[tuple[str, str]] = set()
    for i in range(max(len(reps), len(territories))):  # every rep has a home, every territory a rep
        memberships.add((territories[i % len(territories)]["Id"], reps[i % len(reps)]["Id"]))
    attempts = 0
    while len(memberships) < min(wanted, len(reps) * len(territories)) and attempts < wanted * 20:
        attempts += 1
        memberships.add((g.pick(territories)["Id"], g.pick(reps)["Id"]))
    by_id = {rep["Id"]: rep for rep in reps}
    for territory_id, user_id in sorted(memberships):
        home = not g.cast.territory_reps[territory_id]
        g.add(
            "UserTerritory2Association",
            created,
            {"Territory2Id": territory_id, "UserId": user_id, "RoleInTerritory2": "Owner" if home else "Sales Rep"},
        )
        g.cast.territory_reps[territory_id].append(by_id[user_id])


def owner_for_state(g: OrgGenerator, state: str) -> Record:
    """A rep of the territory that covers ``state``."""
    territory = g.cast.state_territory[state]
    return g.pick(g.cast.territory_reps[territory["Id"]])


def _accounts(g: OrgGenerator) -> None:
    total = g.count("Account")
    if g.org == "b2b":
        names = list(g.companies)
        g.rng.shuffle(names)
        while len(names) < total:
            names += [f"{name} {suffix}" for name in list(names) for suffix in ("Group", "Holdings")]
        for i in range(total):
            state = g.pick(STATES)
            employees = int(g.rng.lognormvariate(6, 1.3)) + 5
            industry = g.pick(list(INDUSTRIES))
            account = g.add(
                "Account",
                g.days_ago(400, 760),
                {
                    "Name": names[i],
                    "Industry": industry,
                    "NumberOfEmployees": employees,
                    "Phone": g.phone(),
                    "ShippingState": state,
                    "OwnerId": owner_for_state(g, state)["Id"],
                    "Type": g.pick(["Customer", "Customer", "Customer", "Prospect", "Partner"]),
                    "Description": f"{industry} company with about {employees:,} employees, based in "
                    f"{g.pick(g.cities)}, {state}.",
                },
            )
            g.accounts.append(account)
        for child in g.rng.sample(g.accounts[10:], k=min(len(g.accounts) // 10, max(0, len(g.accounts) - 10))):
            child["ParentId"] = g.pick(g.accounts[:10])["Id"]
    else:
        for _ in range(total):
            first, last = g.person_name()
            state = g.pick(STATES)
            account = g.add(
                "Account",
                g.days_ago(30, 760),
                {
                    "FirstName": first,
                    "LastName": last,
                    "PersonEmail": email_address(
                        first, last, g.pick(["example.com", "mail.example.net", "inbox.example.org"])
                    ),
                    "Phone": g.phone(),
                    "ShippingState": state,
                    "OwnerId": owner_for_state(g, state)["Id"],
                    "IsPersonAccount": True,
                    "Description": f"Customer since {g.today.year - g.rng.randrange(1, 6)}; "
                    f"lives in {g.pick(g.cities)}, {state}.",
                },
            )
            g.accounts.append(account)


def _contacts(g: OrgGenerator) -> None:
    if g.org == "b2c":
        for account in g.accounts:
            contact = g.add(
                "Contact",
                account["CreatedDate"],
                {
                    "AccountId": account["Id"],
                    "FirstName": account["FirstName"],
                    "LastName": account["LastName"],
                    "Email": account["PersonEmail"],
                    "Phone": account["Phone"],
                    "OwnerId": account["OwnerId"],
                },
            )
            g.contacts_by_account[account["Id"]] = [contact]
        return
    total = g.count("Contact")
    weights = [g.rng.uniform(0.3, 1.7) for _ in g.accounts]
    scale = total / sum(weights)
    sizes = [max(1, round(w * scale)) for w in weights]
    while sum(sizes) > total:
        sizes[sizes.index(max(sizes))] -= 1
    while sum(sizes) < total:
        sizes[g.rng.randrange(len(sizes))] += 1
    for account, size in zip(g.accounts, sizes, strict=True):
        domain = slug(account["Name"]).replace(" ", "")[:24] + ".example.com"
        contacts = []
        for _ in range(size):
            first, last = g.person_name()
            contacts.append(
                g.add(
                    "Contact",
                    g.between(account["CreatedDate"], account["CreatedDate"] + timedelta(days=90)),
                    {
                        "AccountId": account["Id"],
                        "FirstName": first,
                        "LastName": last,
                        "Email": email_address(first, last, domain),
                        "Phone": g.phone(),
                        "OwnerId": account["OwnerId"],
                    },
                )
            )
        g.contacts_by_account[account["Id"]] = contacts
