"""A small, deterministic dataset for each org, so every sandbox feature has data to run on.

:func:`seed_org` writes a fresh org database; :func:`seed_rows` returns the same rows without
touching disk. Everything derives from ``random.Random(seed)`` and the org's "today": the same seed
and today give identical rows, and no record is created after today (12:00 UTC).

The data is small (a few hundred rows) but consistent, because SOQL and SOSL tests run on it:

* agents own what they work on: service agents own cases and issues, sales reps own accounts,
  leads and deals; an account's owner is the rep who owns the territory of its ``ShippingState``;
* children are created after their parents; opportunity amounts are the sum of their lines;
  a won deal has an accepted quote with the same lines, an activated contract and an order;
* a case is about an order line of its account; its ``CaseHistory__c`` rows record creation,
  owner transfers (old and new value are User Ids, other kinds leave both null) and closure,
  and its ``OwnerId`` is the last owner;
* converted leads point at the account, contact and deal they became.

The ``FIXTURE_*`` constants name text planted on purpose for search and escaping tests.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from crmsim.data._records import Record, RecordBuilder, email_address, slug

from ._seed_text import (
    AREA_CODES,
    ARTICLES,
    B2B_ACCOUNTS,
    B2B_TEXT,
    B2C_PEOPLE,
    B2C_TEXT,
    CASE_TASK_SUBJECTS,
    FIRST_NAMES,
    FIXTURE_ACCOUNT_NAME,
    FIXTURE_APOSTROPHE_NAME,
    FIXTURE_ARTICLE_TITLE,
    FIXTURE_PERCENT_SUBJECT,
    FIXTURE_PRODUCT_PHRASE,
    FIXTURE_UNDERSCORE_CODE,
    FIXTURE_UNICODE_NAME,
    GENERAL_CASES,
    INACTIVE_AGENT,
    LAST_NAMES,
    OBJECTIONS,
    OPP_KINDS,
    OPP_REASONS,
    PROFILES,
    SALES_REPS,
    SERVICE_AGENTS,
    STAGES,
    TASK_SUBJECTS,
    TERRITORIES,
    IssueText,
)
from .schema import OrgSchema, org_schema
from .store import Store

__all__ = [
    "ADMIN_USERNAME", "DEFAULT_TODAY", "FIXTURE_ACCOUNT_NAME", "FIXTURE_APOSTROPHE_NAME",
    "FIXTURE_ARTICLE_TITLE", "FIXTURE_PERCENT_SUBJECT", "FIXTURE_PRODUCT_PHRASE",
    "FIXTURE_UNDERSCORE_CODE", "FIXTURE_UNICODE_NAME", "seed_org", "seed_rows",
]

DEFAULT_TODAY: dict[str, date] = {"b2b": date(2024, 6, 14), "b2c": date(2024, 6, 14)}
"""The configured "today" of each org; relative date literals are evaluated against it."""

ADMIN_USERNAME = "admin@crmsim.local"
"""Username of the administrator, who created and last modified every record."""




class _Seeder(RecordBuilder):
    """Builds every row of one org as Python values (dates, datetimes, bools, floats)."""

    def __init__(self, schema: OrgSchema, rng: random.Random, today: date) -> None:
        super().__init__(schema, rng, today)
        self.text = B2B_TEXT if self.org == "b2b" else B2C_TEXT

    def phone(self) -> str:
        return f"({self.rng.choice(AREA_CODES)}) 555-{self.rng.randrange(100, 200):04d}"

    # -- the dataset --------------------------------------------------------------------------

    def run(self) -> dict[str, list[Record]]:
        self.users()
        self.territories()
        self.catalog()
        self.accounts()
        self.opportunities()
        self.leads()
        self.orders()
        self.cases()
        self.messages()
        self.activities()
        self.knowledge()
        return self.rows

    def users(self) -> None:
        setup = self.start - timedelta(days=30)
        profiles = [self.add("Profile", setup, {"Name": name}) for name in PROFILES]
        admin = self.add("User", setup, {
            "FirstName": "CRM", "LastName": "Admin", "Alias": "admin", "Email": ADMIN_USERNAME,
            "Username": ADMIN_USERNAME, "ProfileId": profiles[0]["Id"],
            "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US", "LocaleSidKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles", "IsActive": True})
        assert admin["Id"] == self.admin_id
        self.agents: list[Record] = []
        self.reps: list[Record] = []
        zones = self.schema.objects["User"].fields["TimeZoneSidKey"].values or []
        for group, profile, names in ((self.agents, profiles[2], SERVICE_AGENTS),
                                      (self.reps, profiles[3], SALES_REPS)):
            for first, last in names:
                group.append(self.add("User", self.between(setup, self.start), {
                    "FirstName": first, "LastName": last,
                    "Alias": (first[0] + last[:5]).lower(),
                    "Email": email_address(first, last, "crmsim.local"),
                    "Username": email_address(first, last, f"{self.org}.crmsim.local"),
                    "Phone": self.phone(), "ProfileId": profile["Id"],
                    "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US",
                    "LocaleSidKey": "en_US", "TimeZoneSidKey": self.rng.choice(zones[:4]),
                    "IsActive": (first, last) != INACTIVE_AGENT}))
        self.agents = [a for a in self.agents if a["IsActive"]]

    def territories(self) -> None:
        self.state_owner: dict[str, Record] = {}
        self.states: list[str] = []
        for i, (name, states) in enumerate(TERRITORIES):
            territory = self.add("Territory2", self.start, {"Name": name, "Description": states})
            owner = self.reps[i]
            self.add("UserTerritory2Association", self.start, {
                "Territory2Id": territory["Id"], "UserId": owner["Id"],
                "RoleInTerritory2": "Owner"})
            for state in states.split(","):
                self.state_owner[state] = owner
                self.states.append(state)
            if i % 2 == 0:  # a second rep helps out in every other territory
                helper = self.reps[(i + 1) % len(self.reps)]
                self.add("UserTerritory2Association", self.start, {
                    "Territory2Id": territory["Id"], "UserId": helper["Id"],
                    "RoleInTerritory2": "Sales Rep"})

    def catalog(self) -> None:
        setup = self.start - timedelta(days=20)
        catalog = self.add("ProductCatalog", setup, {"Name": self.text.catalog})
        categories: dict[str, Record] = {}
        self.products: list[Record] = []
        self.price: dict[str, float] = {}
        for spec in self.text.products:
            if spec.category not in categories:
                categories[spec.category] = self.add("ProductCategory", setup, {
                    "CatalogId": catalog["Id"], "Name": spec.category})
            product = self.add("Product2", setup, {
                "Name": spec.name, "ProductCode": spec.code, "Family": spec.family,
                "Description": spec.description, "IsActive": True,
                "External_ID__c": f"EXT-{self.org.upper()}-{len(self.products) + 1:04d}"})
            self.products.append(product)
            self.price[product["Id"]] = spec.price
            self.add("ProductCategoryProduct", setup, {
                "ProductCategoryId": categories[spec.category]["Id"], "ProductId": product["Id"]})
        name, description, share = self.text.second_pricebook
        standard = self.add("Pricebook2", setup, {
            "Name": "Standard Price Book", "Description": "List prices for every product",
            "IsActive": True, "IsStandard": True, "ValidFrom": setup})
        other = self.add("Pricebook2", self.start + timedelta(days=90), {
            "Name": name, "Description": description, "IsActive": True, "IsStandard": False,
            "ValidFrom": self.start + timedelta(days=90),
            "ValidTo": self.now + timedelta(days=200)})
        self.standard_pricebook, self.other_pricebook = standard, other
        self.entries: dict[tuple[str, str], Record] = {}  # (pricebook Id, product Id) -> entry
        for book, factor in ((standard, 1.0), (other, share)):
            for product in self.products:
                self.entries[book["Id"], product["Id"]] = self.add(
                    "PricebookEntry", book["CreatedDate"], {
                        "Name": product["Name"], "Pricebook2Id": book["Id"],
                        "Product2Id": product["Id"], "IsActive": True,
                        "UnitPrice": round(self.price[product["Id"]] * factor, 2)})

    def accounts(self) -> None:
        self.accounts_list: list[Record] = []
        self.customer: dict[str, bool] = {}
        self.contacts_of: dict[str, list[Record]] = {}
        by_name: dict[str, Record] = {}
        first_names = list(FIRST_NAMES)
        last_names = list(LAST_NAMES)
        self.rng.shuffle(first_names)
        self.rng.shuffle(last_names)
        # 80 distinct (first, last) pairs: each first name is paired with two last names
        self.name_pool = (list(zip(first_names, last_names, strict=True))
                          + list(zip(first_names, reversed(last_names), strict=True)))
        if self.org == "b2b":
            for i, (name, industry, employees, kind, parent) in enumerate(B2B_ACCOUNTS):
                state = self.rng.choice(self.states)
                created = self.between(self.start + timedelta(days=10 + 12 * i),
                                       self.start + timedelta(days=40 + 12 * i))
                account = self.add("Account", created, {
                    "Name": name, "Industry": industry, "NumberOfEmployees": employees,
                    "Type": kind, "Phone": self.phone(), "ShippingState": state,
                    "ParentId": by_name[parent]["Id"] if parent else None,
                    "OwnerId": self.state_owner[state]["Id"],
                    "Description": f"{industry} company with about {employees:,} employees, "
                                   f"shipping to {state}."})
                by_name[name] = account
                self.accounts_list.append(account)
                self.customer[account["Id"]] = kind in ("Customer", "Partner")
                count = 0 if kind == "Prospect" and i % 2 else (2 if i < 15 else 1)
                people = [self.name_pool.pop() for _ in range(count)]
                if name == "O'Brien Freight Services":
                    people[0] = ("Declan", "O'Brien")
                if name == "Nimbus Cloud Systems":
                    people[0] = ("Zoë", "Lambert")
                domain = slug(name).replace(" ", "") + ".com"
                self.contacts_of[account["Id"]] = [
                    self.add("Contact", self.between(created, created + timedelta(days=45)), {
                        "FirstName": first, "LastName": last, "AccountId": account["Id"],
                        "Email": email_address(first, last, domain), "Phone": self.phone(),
                        "OwnerId": account["OwnerId"]}) for first, last in people]
        else:
            for i, (first, last) in enumerate(B2C_PEOPLE):
                state = self.rng.choice(self.states)
                created = self.between(self.start + timedelta(days=10 + 12 * i),
                                       self.start + timedelta(days=40 + 12 * i))
                email = email_address(first, last, "example.com")
                phone = self.phone()
                channel = self.rng.choice(("email", "phone", "chat"))
                account = self.add("Account", created, {
                    "FirstName": first, "LastName": last, "PersonEmail": email, "Phone": phone,
                    "ShippingState": state, "IsPersonAccount": True,
                    "OwnerId": self.state_owner[state]["Id"],
                    "Description": f"Customer since {created.year}; prefers {channel} contact."})
                self.accounts_list.append(account)
                self.customer[account["Id"]] = True
                self.contacts_of[account["Id"]] = [self.add("Contact", created, {
                    "FirstName": first, "LastName": last, "AccountId": account["Id"],
                    "Email": email, "Phone": phone, "OwnerId": account["OwnerId"]},
                    modified=account["LastModifiedDate"])]

    def opportunities(self) -> None:
        self.opps: list[Record] = []
        self.opp_lines: dict[str, list[Record]] = {}
        self.won: list[Record] = []
        customers = [a for a in self.accounts_list if self.customer[a["Id"]]]
        stages = [(stage, probability) for stage, count, probability in STAGES
                  for _ in range(count)]
        for n, (stage, probability) in enumerate(stages):
            closed = stage == "Closed"
            won = closed and n % 3 != 0
            account = self.rng.choice(customers if closed else self.accounts_list)
            contacts = self.contacts_of[account["Id"]]
            earliest = max([account["CreatedDate"], *(c["CreatedDate"] for c in contacts)])
            if closed:
                created = self.between(earliest + timedelta(days=1), self.now - timedelta(days=75))
                closed_at = self.between(created + timedelta(days=15), created + timedelta(days=90))
                close_date = closed_at.date()
                probability = 100.0 if won else 0.0
            else:
                created = self.between(max(earliest, self.now - timedelta(days=180)),
                                       self.now - timedelta(days=3))
                closed_at = self.between(created, self.now)  # last touched
                close_date = self.now.date() + timedelta(days=self.rng.randrange(10, 150))
            lines = self.rng.sample(self.products, self.rng.choice((1, 2, 2, 3)))
            main = lines[0]["Name"]
            opp = self.add("Opportunity", created, {
                "Name": f"{account['Name']} - {main} {self.rng.choice(OPP_KINDS)}",
                "AccountId": account["Id"], "ContactId": contacts[0]["Id"] if contacts else None,
                "StageName": stage, "Probability": probability, "CloseDate": close_date,
                "IsClosed": closed, "IsWon": won, "OwnerId": account["OwnerId"],
                "Description": f"{account['Name']} is evaluating the {main} for "
                               f"{self.rng.choice(OPP_REASONS)}."}, modified=closed_at)
            self.opps.append(opp)
            self.opp_lines[opp["Id"]] = []
            for product in lines:
                entry = self.entries[self.standard_pricebook["Id"], product["Id"]]
                quantity = float(self.rng.choice((1, 2, 5, 10, 20)))
                discount = self.rng.choice((0.0, 0.0, 5.0, 10.0, 15.0))
                unit = round(entry["UnitPrice"] * (1 - discount / 100), 2)
                self.opp_lines[opp["Id"]].append(self.add("OpportunityLineItem", created, {
                    "Name": product["Name"], "OpportunityId": opp["Id"],
                    "PricebookEntryId": entry["Id"], "Product2Id": product["Id"],
                    "Quantity": quantity, "UnitPrice": unit,
                    "TotalPrice": round(quantity * unit, 2)}, modified=created))
            opp["Amount"] = round(sum(line["TotalPrice"] for line in self.opp_lines[opp["Id"]]), 2)
            if won:
                self.won.append(opp)
            self.quotes(opp, account, closed_at)
            self.contract(opp, account, closed_at)
        for account in self.accounts_list[:3]:  # older contracts signed before any deal here
            self.contract(None, account, account["CreatedDate"] + timedelta(days=20))

    def quotes(self, opp: Record, account: Record, closed_at: datetime) -> None:
        stage = opp["StageName"]
        statuses: list[str] = []
        if stage == "Quote":
            statuses = [self.rng.choice(("Draft", "Needs Review", "In Review"))]
        elif stage == "Negotiation":
            statuses = ["Rejected"] * self.rng.randrange(2) + [
                self.rng.choice(("Approved", "Presented"))]
        elif stage == "Closed":
            statuses = (["Denied"] * self.rng.randrange(2) + ["Accepted"]) if opp["IsWon"] \
                else ["Denied"]
        when = opp["CreatedDate"]
        for k, status in enumerate(statuses, start=1):
            when = self.between(when + timedelta(days=2), closed_at)
            quote = self.add("Quote", when, {
                "Name": f"{opp['Name']} - Q{k}", "OpportunityId": opp["Id"],
                "AccountId": account["Id"], "ContactId": opp["ContactId"], "Status": status,
                "ExpirationDate": when.date() + timedelta(days=30), "OwnerId": opp["OwnerId"],
                "Description": f"Quote {k} for {opp['Name']}."})
            for line in self.opp_lines[opp["Id"]]:
                list_price = self.entries[self.standard_pricebook["Id"], line["Product2Id"]]
                price = list_price["UnitPrice"]
                discount = round((1 - line["UnitPrice"] / price) * 100, 2) if price else 0.0
                self.add("QuoteLineItem", when, {
                    "QuoteId": quote["Id"], "OpportunityLineItemId": line["Id"],
                    "PricebookEntryId": list_price["Id"], "Product2Id": line["Product2Id"],
                    "Quantity": line["Quantity"], "UnitPrice": price, "Discount": discount,
                    "TotalPrice": line["TotalPrice"]}, modified=when)

    def contract(self, opp: Record | None, account: Record, signed_at: datetime) -> None:
        if opp is not None and not opp["IsWon"] and (opp["StageName"] != "Negotiation"
                                                     or self.rng.random() < 0.4):
            return
        active = opp is None or opp["IsWon"]
        created = opp["CreatedDate"] if opp else account["CreatedDate"]
        created = self.between(created, signed_at)
        customer_signed = signed_at.date() if active else None
        company_signed = (min(signed_at.date() + timedelta(days=self.rng.randrange(3)),
                              self.now.date()) if active else None)
        start = (signed_at.date() + timedelta(days=self.rng.randrange(1, 15)) if active
                 else opp["CloseDate"] if opp else None)
        term = self.rng.choice((12, 24, 36))
        contract = self.add("Contract", created, {
            "AccountId": account["Id"], "OwnerId": account["OwnerId"],
            "Status": "Activated" if active else self.rng.choice(("Draft", "In Approval Process")),
            "CustomerSignedDate": customer_signed, "StartDate": start, "ContractTerm": term,
            "Description": f"{term}-month agreement with {account['Name']}."},
            optional={"CompanySignedDate": company_signed}, modified=max(created, signed_at))
        if opp is not None:
            opp["ContractID__c"] = contract["Id"]

    def leads(self) -> None:
        statuses = ("New", "Contacted", "Qualified")
        sources = self.schema.objects["Lead"].fields["LeadSource"].values or []
        people = [self.name_pool.pop() for _ in range(11)]
        for i, (first, last) in enumerate(people):
            company = self.text.lead_companies[i] if self.text.lead_companies else None
            domain = (slug(company).replace(" ", "") + ".com") if company else "example.net"
            state = self.rng.choice(self.states)
            self.add("Lead", self.between(self.now - timedelta(days=300), self.now), {
                "FirstName": first, "LastName": last, "Company": company,
                "Email": email_address(first, last, domain), "Phone": self.phone(),
                "Status": statuses[i % 3], "LeadSource": self.rng.choice(sources),
                "IsConverted": False, "OwnerId": self.state_owner[state]["Id"]},
                optional=self.lead_title())
        with_deals = [a for a in self.accounts_list
                      if self.contacts_of[a["Id"]] and any(o["AccountId"] == a["Id"]
                                                           for o in self.opps)]
        for account in self.rng.sample(with_deals, 4):
            contact = self.contacts_of[account["Id"]][0]
            opp = min((o for o in self.opps if o["AccountId"] == account["Id"]),
                      key=lambda o: o["CreatedDate"])
            created = account["CreatedDate"] - timedelta(days=self.rng.randrange(10, 60))
            self.add("Lead", max(created, self.start), {
                "FirstName": contact["FirstName"], "LastName": contact["LastName"],
                "Company": account["Name"] if self.org == "b2b" else None,
                "Email": contact["Email"], "Phone": contact["Phone"],
                "Status": "Closed", "LeadSource": self.rng.choice(sources),
                "IsConverted": True, "ConvertedDate": account["CreatedDate"].date(),
                "ConvertedAccountId": account["Id"], "ConvertedContactId": contact["Id"],
                "ConvertedOpportunityId": opp["Id"], "OwnerId": account["OwnerId"]},
                optional=self.lead_title(), modified=account["CreatedDate"])

    def lead_title(self) -> dict[str, str]:
        return {"Title": self.rng.choice(self.text.lead_titles)} if self.text.lead_titles else {}

    def orders(self) -> None:
        self.order_items: list[tuple[Record, Record]] = []  # (item, order)
        self.order_account: dict[str, Record] = {}
        customers = [a for a in self.accounts_list if self.customer[a["Id"]]]
        plans: list[tuple[Record, datetime, list[tuple[Record, float]]]] = []
        for opp in self.won:  # each won deal is ordered when it closes
            account = next(a for a in self.accounts_list if a["Id"] == opp["AccountId"])
            when = self.between(datetime.combine(opp["CloseDate"], time(9)),
                                datetime.combine(opp["CloseDate"], time(17)))
            products = [(self.product(line["Product2Id"]), line["Quantity"])
                        for line in self.opp_lines[opp["Id"]]]
            plans.append((account, when, products))
        for _ in range(28):
            account = self.rng.choice(customers)
            when = self.between(account["CreatedDate"] + timedelta(days=7), self.now)
            products = [(p, float(self.rng.choice((1, 1, 2, 3, 10))))
                        for p in self.rng.sample(self.products, self.rng.choice((1, 1, 2, 2, 3)))]
            plans.append((account, when, products))
        for account, when, products in plans:
            partner = (account.get("Type") == "Partner" if self.org == "b2b"
                       else self.rng.random() < 0.25)
            book = self.other_pricebook if partner else self.standard_pricebook
            recent = when > self.now - timedelta(days=10)
            order = self.add("Order", when, {
                "AccountId": account["Id"], "EffectiveDate": when.date(),
                "Pricebook2Id": book["Id"], "OwnerId": account["OwnerId"],
                "Status": "Draft" if recent and self.rng.random() < 0.5 else "Activated"})
            self.order_account[order["Id"]] = account
            for product, quantity in products:
                entry = self.entries[book["Id"], product["Id"]]
                item = self.add("OrderItem", when, {
                    "OrderId": order["Id"], "PricebookEntryId": entry["Id"],
                    "Product2Id": product["Id"], "Quantity": quantity,
                    "UnitPrice": entry["UnitPrice"]}, modified=order["LastModifiedDate"])
                self.order_items.append((item, order))

    def product(self, product_id: str) -> Record:
        return next(p for p in self.products if p["Id"] == product_id)

    def cases(self) -> None:
        self.cases_list: list[tuple[Record, Record | None, Record, IssueText | None]] = []
        issues: dict[str, tuple[Record, IssueText]] = {}
        issue_field = self.field_name("Issue__c", "IssueDescription__c", "Description__c")
        for known in self.text.issues:
            record = self.add("Issue__c",
                              self.between(self.start, self.start + timedelta(days=200)),
                              {"Name": known.name, issue_field: known.description,
                               "OwnerId": self.rng.choice(self.agents)["Id"]})
            for product_name in known.products:
                issues.setdefault(product_name, (record, known))
        by_time = sorted(self.order_items, key=lambda pair: pair[0]["CreatedDate"])
        origins = self.schema.objects["Case"].fields["Origin"].values or []
        for n in range(60):
            # Pick the day first so cases spread evenly, then an order line delivered before it.
            closed = self.rng.random() < 0.65
            day = (self.between(self.start + timedelta(days=60), self.now - timedelta(days=1))
                   if closed else self.between(self.now - timedelta(days=30), self.now))
            earlier = [p for p in by_time if p[0]["CreatedDate"] < day - timedelta(days=1)]
            item, order = self.rng.choice(earlier or by_time[:1])
            account = self.order_account[order["Id"]]
            contacts = self.contacts_of[account["Id"]]
            contact = self.rng.choice(contacts) if contacts else None
            product = self.product(item["Product2Id"])
            issue: Record | None = None
            spec: IssueText | None = None
            if product["Name"] in issues:
                issue, spec = issues[product["Name"]]
            if n == 0:
                subject, description = FIXTURE_PERCENT_SUBJECT, (
                    "The customer entered promo code SPRING20 but was charged full price for "
                    "order {order}.")
                issue = spec = None
            elif spec is None or self.rng.random() < 0.25:
                subject, description = self.rng.choice(GENERAL_CASES)
                issue = spec = None
            else:
                subject = self.rng.choice(spec.subjects)
                description = (f"The customer says the {{product}} {spec.symptom}. "
                               f"It was delivered with order {{order}}.")
            fill = {"product": product["Name"], "order": order["OrderNumber"]}
            created = max(day, item["CreatedDate"] + timedelta(days=1))
            end = (self.between(created + timedelta(hours=2), created + timedelta(days=14))
                   if closed else self.now)
            status = "Closed" if closed else (
                "New" if created > self.now - timedelta(days=4)
                else self.rng.choice(("Working", "Escalated", "Waiting on Customer")))
            owners = [self.rng.choice(self.agents)]
            for _ in range(self.rng.choice((0, 0, 0, 1, 1, 2))):
                owners.append(self.rng.choice([a for a in self.agents if a is not owners[-1]]))
            times = sorted(self.between(created, end) for _ in owners[1:])
            case = self.add("Case", created, {
                "Subject": subject.format(**fill), "Description": description.format(**fill),
                "AccountId": account["Id"], "ContactId": contact["Id"] if contact else None,
                "OrderItemId__c": None if subject == "Update billing contact" else item["Id"],
                "IssueId__c": issue["Id"] if issue else None, "Status": status,
                "Priority": spec.priority if spec else self.rng.choice(("Medium", "Low")),
                "Origin": self.rng.choice(origins), "OwnerId": owners[-1]["Id"],
                "ClosedDate": end if closed else None},
                modified=end if closed else self.between(times[-1] if times else created, end))
            self.history(case, "Case Creation", created)
            for when, old, new in zip(times, owners, owners[1:], strict=False):
                self.history(case, "Owner Assignment", when, old["Id"], new["Id"])
            if closed:
                self.history(case, "Case Closed", end)
            self.cases_list.append((case, contact, owners[0], spec))

    def history(self, case: Record, kind: str, when: datetime, old: str | None = None,
                new: str | None = None) -> None:
        self.add("CaseHistory__c", when, {"CaseId__c": case["Id"], "Field__c": kind,
                                          "OldValue__c": old, "NewValue__c": new}, modified=when)

    def messages(self) -> None:
        agent_by_id = {a["Id"]: a for a in self.agents}
        for case, contact, first_owner, spec in self.cases_list:
            if contact is None:
                continue
            start = case["CreatedDate"]
            owner = agent_by_id[case["OwnerId"]]
            reply = (f"This is a known issue: {spec.description}" if spec
                     else "We are looking into it and will update you within one business day.")
            if case["Origin"] == "Email":
                self.add("EmailMessage", start, {
                    "ParentId": case["Id"], "RelatedToId": case["Id"],
                    "FromAddress": contact["Email"], "ToIds": first_owner["Id"],
                    "Subject": case["Subject"], "MessageDate": start,
                    "TextBody": f"Hello,\n\n{case['Description']}\n\nThanks,\n{contact['Name']}"},
                    modified=start)
                sent = self.between(start + timedelta(hours=1), start + timedelta(days=1))
                self.add("EmailMessage", sent, {
                    "ParentId": case["Id"], "RelatedToId": case["Id"],
                    "FromAddress": owner["Email"], "ToIds": contact["Id"],
                    "Subject": f"RE: {case['Subject']}", "MessageDate": sent,
                    "TextBody": f"Hi {contact['FirstName']},\n\nThanks for contacting us about "
                                f"case {case['CaseNumber']}. {reply}\n\nBest regards,\n"
                                f"{owner['Name']}"}, modified=sent)
            elif case["Origin"] == "Chat":
                visitor = self.add("LiveChatVisitor", start, {}, modified=start)
                ended = self.between(start + timedelta(minutes=6), start + timedelta(minutes=25))
                body = (f"Chat started by {contact['Name']}\n"
                        f"{contact['FirstName']}: Hi, I need help. {case['Subject']}.\n"
                        f"{first_owner['FirstName']}: Sorry to hear that. When did it start?\n"
                        f"{contact['FirstName']}: A few days ago. It "
                        f"{spec.symptom if spec else 'is still not sorted out'}.\n"
                        f"{first_owner['FirstName']}: I have opened case {case['CaseNumber']}. "
                        f"{reply}\n{contact['FirstName']}: Thank you.")
                self.add("LiveChatTranscript", ended, {
                    "LiveChatVisitorId": visitor["Id"], "CaseId": case["Id"],
                    "AccountId": case["AccountId"], "ContactId": contact["Id"], "Body": body,
                    "EndTime": ended, "OwnerId": first_owner["Id"]}, modified=ended)
        for opp in self.rng.sample([o for o in self.opps if o["ContactId"]], 8):
            contact = next(c for c in self.contacts_of[opp["AccountId"]]
                           if c["Id"] == opp["ContactId"])
            rep = next(r for r in self.reps if r["Id"] == opp["OwnerId"])
            sent = self.between(opp["CreatedDate"] + timedelta(days=1),
                                opp["LastModifiedDate"])
            self.add("EmailMessage", sent, {
                "RelatedToId": opp["Id"], "FromAddress": rep["Email"], "ToIds": contact["Id"],
                "Subject": f"Proposal for {opp['Name']}", "MessageDate": sent,
                "TextBody": f"Hi {contact['FirstName']},\n\nHere is the proposal for "
                            f"{opp['Name']}. Let me know if you have questions about pricing or "
                            f"timing.\n\nBest,\n{rep['Name']}"}, modified=sent)
        self.calls()

    def calls(self) -> None:
        body_field = self.field_name("VoiceCallTranscript__c", "TranscriptBody__c", "Body__c")
        rep_by_id = {r["Id"]: r for r in self.reps}
        for opp in self.rng.sample([o for o in self.opps if o["ContactId"]], 10):
            contact = next(c for c in self.contacts_of[opp["AccountId"]]
                           if c["Id"] == opp["ContactId"])
            rep = rep_by_id[opp["OwnerId"]]
            start = self.between(opp["CreatedDate"], opp["LastModifiedDate"])
            objection, answer = self.rng.choice(OBJECTIONS)
            product = self.opp_lines[opp["Id"]][0]["Name"]
            body = (f"{rep['Name']}: Thanks for making time today, {contact['FirstName']}. I "
                    f"wanted to go over {opp['Name']}.\n"
                    f"{contact['Name']}: Sure. We are mainly interested in the {product}.\n"
                    f"{rep['Name']}: The current proposal comes to {opp['Amount']:,.2f} dollars. "
                    f"Does that fit your budget?\n{contact['Name']}: {objection}\n"
                    f"{rep['Name']}: {answer}")
            ended = self.between(start + timedelta(minutes=5), start + timedelta(minutes=40))
            self.add("VoiceCallTranscript__c", start, {
                "OpportunityId__c": opp["Id"], body_field: body, "EndTime__c": ended},
                modified=ended)
        for lead in self.rng.sample(self.rows["Lead"], 4):
            rep = rep_by_id[lead["OwnerId"]]
            start = self.between(lead["CreatedDate"], lead["CreatedDate"] + timedelta(days=10))
            company = f" at {lead['Company']}" if lead.get("Company") else ""
            body = (f"{rep['Name']}: Hi {lead['FirstName']}, this is {rep['FirstName']}. You "
                    f"asked about our products{company}.\n"
                    f"{lead['Name']}: Yes, we are comparing options and want to know about "
                    f"pricing and installation.\n"
                    f"{rep['Name']}: Happy to help. Who else is involved in the decision?\n"
                    f"{lead['Name']}: My manager signs off on anything over our budget.")
            ended = self.between(start + timedelta(minutes=5), start + timedelta(minutes=30))
            self.add("VoiceCallTranscript__c", start, {
                "LeadId__c": lead["Id"], body_field: body, "EndTime__c": ended}, modified=ended)

    def activities(self) -> None:
        today = self.now.date()
        for opp in self.rng.sample(self.opps, 15):
            created = self.between(opp["CreatedDate"], opp["LastModifiedDate"])
            due = created.date() + timedelta(days=self.rng.randrange(1, 15))
            done = opp["IsClosed"] or (due < today and self.rng.random() < 0.7)
            self.add("Task", created, {
                "Subject": self.rng.choice(TASK_SUBJECTS), "WhatId": opp["Id"],
                "ActivityDate": due, "OwnerId": opp["OwnerId"],
                "Status": "Completed" if done else self.rng.choice(("Not Started", "In Progress")),
                "Priority": self.rng.choice(("High", "Normal", "Normal", "Low")),
                "Description": f"For {opp['Name']}."})
        for case, _contact, _owner, _spec in self.rng.sample(self.cases_list, 12):
            created = self.between(case["CreatedDate"], case["LastModifiedDate"])
            closed = case["Status"] == "Closed"
            self.add("Task", created, {
                "Subject": self.rng.choice(CASE_TASK_SUBJECTS).format(n=case["CaseNumber"]),
                "WhatId": case["Id"], "OwnerId": case["OwnerId"],
                "ActivityDate": created.date() + timedelta(days=self.rng.randrange(0, 4)),
                "Status": "Completed" if closed else self.rng.choice(("Not Started",
                                                                      "In Progress")),
                "Priority": "High" if case["Priority"] == "High" else "Normal",
                "Description": f"Regarding: {case['Subject']}"})
        for opp in self.rng.sample(self.opps, 10):
            created = self.between(opp["CreatedDate"], opp["LastModifiedDate"])
            start = datetime.combine(created.date() + timedelta(days=self.rng.randrange(1, 21)),
                                     time(self.rng.choice((9, 10, 13, 15)), 0))
            subject = self.rng.choice(("Product demo", "Pricing review call", "Site visit"))
            self.add("Event", created, {
                "Subject": f"{subject}: {opp['Name']}", "WhatId": opp["Id"],
                "StartDateTime": start, "DurationInMinutes": self.rng.choice((30, 60, 90)),
                "IsAllDayEvent": False, "OwnerId": opp["OwnerId"],
                "Location": "Customer site" if subject == "Site visit" else "Video call",
                "Description": f"{subject} with the {opp['Name']} team."})
        for case, _contact, _owner, _spec in self.rng.sample(self.cases_list, 4):
            created = self.between(case["CreatedDate"], case["LastModifiedDate"])
            self.add("Event", created, {
                "Subject": f"Troubleshooting session for case {case['CaseNumber']}",
                "WhatId": case["Id"], "OwnerId": case["OwnerId"], "IsAllDayEvent": False,
                "StartDateTime": created + timedelta(days=1), "DurationInMinutes": 45,
                "Location": "Phone", "Description": case["Subject"]})
        account = self.accounts_list[0]
        review = datetime.combine(today + timedelta(days=7), time(0))
        self.add("Event", self.now - timedelta(days=20), {
            "Subject": f"Quarterly business review with {account['Name']}",
            "WhatId": account["Id"], "OwnerId": account["OwnerId"], "IsAllDayEvent": True,
            "StartDateTime": review, "DurationInMinutes": 1440, "Location": "Customer site",
            "Description": "Review open cases, renewals and the product roadmap."})

    def knowledge(self) -> None:
        for i, (title, summary, answer) in enumerate(ARTICLES):
            status = {5: "Archived", len(ARTICLES) - 1: "Draft"}.get(i, "Online")
            created = self.between(self.start, self.now - timedelta(days=30))
            self.add("Knowledge__kav", created, {
                "Title": title, "Summary": summary, "FAQ_Answer__c": answer,
                "UrlName": slug(title).replace(" ", "-"), "PublishStatus": status})


def seed_rows(org: str, *, seed: int = 0, today: date | None = None) -> dict[str, list[Record]]:
    """Every row of the small dataset of ``org``, per object, as stored values."""
    schema = org_schema(org)
    seeder = _Seeder(schema, random.Random(seed), today or DEFAULT_TODAY[org])
    seeder.run()
    return seeder.stored()


def seed_org(path: str | Path, org: str, *, seed: int = 0, today: date | None = None) -> Store:
    """Write a fresh database for ``org`` at ``path`` filled with the small dataset; return it open.

    Any database already at ``path`` is replaced. The caller closes the returned store.
    """
    today = today or DEFAULT_TODAY[org]
    rows = seed_rows(org, seed=seed, today=today)
    schema = org_schema(org)
    store = Store.create(path, schema, today=today)
    try:
        for name, obj in schema.objects.items():
            store.insert_rows(obj, rows[name])
    except BaseException:
        store.close()
        raise
    return store
