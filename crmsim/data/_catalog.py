"""Stage 2: the product catalog, categories, price books and price book entries.

Products come in families of look-alike names (e.g. "OptiPower Manager" and "PowerOpti Manager
Pro"), so that finding the product a customer means takes care (named-entity disambiguation).
"""

from __future__ import annotations

from datetime import timedelta

from ._base import OrgGenerator

# (category, product family stems, price range, what the line does)
B2B_LINES = (
    (
        "Power Management",
        ("OptiPower", "PowerOpti", "VoltWise"),
        (900, 6000),
        "balances and schedules power use across plant equipment",
    ),
    (
        "Analytics Software",
        ("InsightFlow", "FlowInsight", "DataPulse"),
        (2000, 20000),
        "turns operational data into dashboards and forecasts",
    ),
    (
        "Security Platforms",
        ("SecureSync", "SyncSecure", "ShieldCore"),
        (3000, 25000),
        "protects devices and data with encryption and access control",
    ),
    (
        "Networking",
        ("NetBridge", "BridgeNet", "MeshLink"),
        (500, 8000),
        "connects sites and devices over resilient links",
    ),
    (
        "Industrial Sensors",
        ("SenseTrack", "TrackSense", "ThermoGuard"),
        (150, 2500),
        "measures temperature, vibration and flow on the shop floor",
    ),
    (
        "Automation",
        ("RoboAssist", "AssistRobo", "LineMaster"),
        (5000, 40000),
        "automates repetitive assembly and packaging steps",
    ),
    (
        "Cloud Services",
        ("CloudHarbor", "HarborCloud", "SkyVault"),
        (1000, 12000),
        "hosts workloads and backups with managed operations",
    ),
    (
        "Field Hardware",
        ("FieldPro", "ProField", "RuggedEdge"),
        (300, 4000),
        "rugged tablets, chargers and handhelds for technicians",
    ),
    (
        "Compute",
        ("AI Cirku-Tech", "Cirku-Tech AI", "QuantaCore"),
        (4000, 30000),
        "accelerates simulation and machine learning workloads",
    ),
    (
        "Collaboration",
        ("TeamSphere", "SphereTeam", "ConferIQ"),
        (200, 3000),
        "video rooms, shared boards and meeting tools",
    ),
)
B2C_LINES = (
    ("Smartphones", ("Nova", "NovaX", "Orbit"), (199, 1299), "phones with long battery life and bright screens"),
    ("Laptops", ("AeroBook", "BookAero", "SlateLite"), (499, 2499), "light laptops for work, study and travel"),
    ("Headphones", ("EchoBeat", "BeatEcho", "QuietWave"), (39, 399), "wireless headphones with noise cancelling"),
    (
        "Smart Home",
        ("HomeSense", "SenseHome", "Breeze"),
        (29, 499),
        "connected thermostats, plugs, purifiers and cameras",
    ),
    ("Wearables", ("FitPulse", "PulseFit", "StrideBand"), (49, 449), "fitness trackers and smartwatches"),
    ("Power & Charging", ("VoltGo", "GoVolt", "ChargeMate"), (19, 149), "power banks, chargers and cables"),
    ("Kitchen", ("ChefMate", "MateChef", "BrewJoy"), (29, 599), "blenders, coffee makers and smart ovens"),
    ("Gaming", ("PlayForge", "ForgePlay", "PixelArc"), (49, 699), "consoles, controllers and gaming accessories"),
    ("Cameras", ("SnapView", "ViewSnap", "LensCraft"), (99, 1899), "mirrorless and action cameras"),
    ("Audio", ("SoundDome", "DomeSound", "RoomTone"), (59, 999), "speakers and soundbars"),
    ("Tablets", ("TabOne", "OneTab", "SketchPad"), (129, 1099), "tablets for reading, drawing and streaming"),
    ("Personal Care", ("GlowCare", "CareGlow", "SmoothEdge"), (19, 249), "shavers, trimmers and hair tools"),
)
MODELS = ("Manager", "Hub", "Pro", "Lite", "Max", "Go", "Plus", "X", "Edge", "Suite")


def build_catalog(g: OrgGenerator) -> None:
    created = g.start - timedelta(days=20)
    lines = B2B_LINES if g.org == "b2b" else B2C_LINES
    catalog = g.add(
        "ProductCatalog",
        created,
        {"Name": "Industrial Solutions Catalog" if g.org == "b2b" else "Consumer Electronics Catalog"},
    )
    categories = {}
    for name, *_ in lines[: g.count("ProductCategory")]:
        categories[name] = g.add("ProductCategory", created, {"CatalogId": catalog["Id"], "Name": name})
    total = g.count("Product2")
    names: set[str] = set()
    prices: dict[str, float] = {}
    for index in range(total):
        category, stems, (low, high), purpose = lines[index % len(categories)]
        n = index // len(categories)
        stem = stems[n % len(stems)]
        model = MODELS[(n // len(stems) + index) % len(MODELS)]
        name = f"{stem} {model}"
        if name in names:
            name = f"{name} {n + 2}"
        names.add(name)
        price = round(g.rng.uniform(low, high), -1 if high > 1000 else 0) - (0.01 if g.org == "b2c" else 0)
        product = g.add(
            "Product2",
            created,
            {
                "Name": name,
                "ProductCode": f"{stem[:3].upper()}-{1000 + index}",
                "IsActive": True,
                "Family": "Software" if "Software" in category or "Cloud" in category else "Hardware",
                "External_ID__c": f"EXT-{g.org.upper()}-{index + 1:04d}",
                "Description": f"{name}: {purpose}. Part of our {category.lower()} line.",
            },
        )
        prices[product["Id"]] = price
        g.catalog.category_of[product["Id"]] = category
        g.catalog.products.append(product)
        g.catalog.families.setdefault(f"{category}:{model}", []).append(product)
        g.add(
            "ProductCategoryProduct",
            created,
            {"ProductCategoryId": categories[category]["Id"], "ProductId": product["Id"]},
        )
    standard = g.add(
        "Pricebook2",
        created,
        {
            "Name": "Standard Price Book",
            "IsActive": True,
            "IsStandard": True,
            "Description": "List prices for every product",
        },
    )
    partner = g.add(
        "Pricebook2",
        created,
        {
            "Name": "Partner Price Book" if g.org == "b2b" else "Member Price Book",
            "IsActive": True,
            "IsStandard": False,
            "Description": "Negotiated prices, 10% under list",
            "ValidFrom": g.start,
            "ValidTo": g.now + timedelta(days=365),
        },
    )
    g.catalog.standard_pricebook = standard
    g.catalog.pricebooks = [standard, partner]
    for book, share in ((standard, 1.0), (partner, 0.9)):
        for product in g.catalog.products:
            entry = g.add(
                "PricebookEntry",
                created,
                {
                    "Pricebook2Id": book["Id"],
                    "Product2Id": product["Id"],
                    "Name": product["Name"],
                    "UnitPrice": round(prices[product["Id"]] * share, 2),
                    "IsActive": True,
                },
            )
            g.catalog.entries[(book["Id"], product["Id"])] = entry
