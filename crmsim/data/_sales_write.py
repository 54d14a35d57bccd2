"""Writing the planned deals: opportunities, lines, quotes, contracts, orders, in time order."""

from __future__ import annotations

from datetime import datetime, timedelta

from ._sales_deals import SalesPlan
from ._sales_model import Deal, OrderPlan, at
from ._sales_text import OPP_SUFFIXES, PROBABILITY

NEEDS = {
    "b2b": (
        "wants to cut downtime and manual work across its sites",
        "is replacing an ageing system that no longer scales",
        "is consolidating vendors ahead of a new fiscal year",
        "needs better visibility into operations for leadership",
    ),
    "b2c": (
        "is upgrading devices for the household",
        "is setting up a home office",
        "wants to replace a device that stopped working",
        "is buying gifts for the family",
    ),
}


def _name(deal: Deal, suffix: str) -> str:
    category = deal.lines[0].category if deal.lines else "Solutions"
    return f"{deal.account['Name']} - {category} {suffix}"[:120]


def write_deals(p: SalesPlan) -> None:
    g, rng = p.g, p.rng
    deals = sorted(p.deals, key=lambda d: d.created)
    for deal in deals:
        amount = round(sum(line.total for line in deal.lines), 2)
        stage = deal.stage_name
        if deal.closed:
            modified = min(g.now, at(deal.close, rng, 12, 17))
            probability = 100 if deal.won else 0
        else:
            modified = g.between(deal.created, g.now)
            probability = PROBABILITY[stage]
        products = ", ".join(dict.fromkeys(line.product["Name"] for line in deal.lines))
        deal.opp = g.add(
            "Opportunity",
            deal.created,
            {
                "AccountId": deal.account["Id"],
                "ContactId": deal.contact["Id"] if deal.contact else None,
                "OwnerId": deal.owner["Id"],
                "Name": _name(deal, g.pick(OPP_SUFFIXES[g.org])),
                "Description": f"{deal.account['Name']} {g.pick(NEEDS[g.org])}. Products discussed: {products}.",
                "Amount": amount,
                "CloseDate": deal.close,
                "StageName": stage,
                "Probability": probability,
                "IsClosed": deal.closed,
                "IsWon": deal.won,
            },
            modified=modified,
        )
        line_time = deal.created + timedelta(minutes=rng.randint(2, 30))
        for line in deal.lines:
            line.oli = g.add(
                "OpportunityLineItem",
                min(line_time, g.now),
                {
                    "Name": line.product["Name"],
                    "OpportunityId": deal.opp["Id"],
                    "PricebookEntryId": line.entry["Id"],
                    "Product2Id": line.product["Id"],
                    "Quantity": line.quantity,
                    "UnitPrice": line.net_price,
                    "TotalPrice": line.total,
                },
            )
    _write_quotes(p, deals)
    _write_contracts(p, deals)
    _write_orders(p, deals)


def _write_quotes(p: SalesPlan, deals: list[Deal]) -> None:
    g, rng = p.g, p.rng
    quoted = sorted((d for d in deals if d.quote_created is not None), key=lambda d: d.quote_created or d.created)
    for deal in quoted:
        assert deal.opp is not None and deal.quote_created is not None and deal.quote_status is not None
        created = deal.quote_created
        expires = created.date() + timedelta(days=rng.choice((30, 30, 45, 60)))
        deal.quote = g.add(
            "Quote",
            created,
            {
                "Name": f"{deal.opp['Name']} - Quote"[:255],
                "OpportunityId": deal.opp["Id"],
                "AccountId": deal.account["Id"],
                "ContactId": deal.contact["Id"] if deal.contact else None,
                "OwnerId": deal.owner["Id"],
                "Status": deal.quote_status,
                "ExpirationDate": expires,
                "Description": f"{len(deal.lines)} line(s) priced from the {deal.book['Name']}; "
                f"valid until {expires.isoformat()}.",
            },
        )
        for line in deal.lines:
            assert line.oli is not None
            g.add(
                "QuoteLineItem",
                created,
                {
                    "QuoteId": deal.quote["Id"],
                    "OpportunityLineItemId": line.oli["Id"],
                    "PricebookEntryId": line.entry["Id"],
                    "Product2Id": line.product["Id"],
                    "Quantity": line.quantity,
                    "UnitPrice": line.quote_price,
                    "Discount": line.discount,
                    "TotalPrice": round(line.quantity * line.quote_price * (1 - line.discount / 100), 2),
                },
            )


def _write_contracts(p: SalesPlan, deals: list[Deal]) -> None:
    g, rng = p.g, p.rng
    for deal in sorted((d for d in deals if d.won), key=lambda d: d.close):
        assert deal.opp is not None
        created = at(deal.close, rng, 7, 9)
        categories = ", ".join(sorted({line.category for line in deal.lines}))
        deal.contract = g.add(
            "Contract",
            created,
            {
                "AccountId": deal.account["Id"],
                "OwnerId": deal.owner["Id"],
                "Status": "Activated",
                "StartDate": deal.start,
                "ContractTerm": deal.term,
                "CustomerSignedDate": deal.customer_signed,
                "Description": f"{deal.term}-month agreement with {deal.account['Name']} covering {categories}; "
                "renews unless either side gives 60 days' notice.",
            },
            optional={"CompanySignedDate": deal.company_signed},
            modified=min(g.now, at(deal.start or deal.close, rng, 9, 11)),
        )
        deal.opp["ContractID__c"] = deal.contract["Id"]


def _write_orders(p: SalesPlan, deals: list[Deal]) -> None:
    g, rng = p.g, p.rng
    plans: list[OrderPlan] = [p.order_of(d) for d in deals if d.won] + p.extra_orders
    plans.sort(key=lambda o: (o.effective, o.deal is None))
    g.orders, g.order_items = [], []
    for plan in plans:
        created: datetime = at(plan.effective, rng, 8, 11)
        order = g.add(
            "Order",
            created,
            {
                "AccountId": plan.account["Id"],
                "OwnerId": plan.owner_id,
                "EffectiveDate": plan.effective,
                "Pricebook2Id": plan.book["Id"],
                "Status": "Activated",
            },
        )
        plan.record = order
        g.orders.append(order)
        for line in plan.lines:
            item = g.add(
                "OrderItem",
                created,
                {
                    "OrderId": order["Id"],
                    "PricebookEntryId": line.entry["Id"],
                    "Product2Id": line.product["Id"],
                    "Quantity": line.quantity,
                    "UnitPrice": line.net_price,
                },
            )
            g.order_items.append(item)
