"""Stage 3: sales records (leads, deals, quotes, contracts, orders, calls, tasks, events) and the
sales latent variables.

The stage plans first and writes last (see :mod:`crmsim.data._sales_model`):

    deals -> routing tie -> extra orders -> top seller -> policy quotes -> leads -> tasks -> calls
    -> write (articles, deals, leads, calls, tasks, events) -> latents

It leaves ``g.orders`` and ``g.order_items`` (every Order and OrderItem record) for the service
stage, whose cases are about order lines.
"""

from __future__ import annotations

from ._base import OrgGenerator
from ._sales_calls import plan_calls, write_calls
from ._sales_deals import (
    SalesPlan,
    plan_consumer_orders,
    plan_deals,
    plant_policy_quotes,
    plant_routing_tie,
    plant_top_seller,
)
from ._sales_latents import LatentBuilder
from ._sales_leads import plan_leads, write_leads
from ._sales_policy import write_articles
from ._sales_tasks import plan_tasks, write_events, write_tasks
from ._sales_write import write_deals


def build_sales(g: OrgGenerator) -> None:
    """Add the sales records and plant the sales latent variables."""
    plan = SalesPlan(g)
    plan_deals(plan)
    plant_routing_tie(plan)
    plan_consumer_orders(plan)
    plant_top_seller(plan)
    plant_policy_quotes(plan)
    leads = plan_leads(plan)
    tasks = plan_tasks(plan)
    calls = plan_calls(plan)

    articles, _guides = write_articles(g, plan.rules)
    write_deals(plan)
    write_leads(plan)
    write_calls(calls)
    write_tasks(tasks)
    write_events(plan)
    LatentBuilder(plan, leads, tasks, calls).plant_all(articles)
