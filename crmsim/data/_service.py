"""Stage 4: service records and the service latent variables.

Reads the sales stage's ``g.orders`` / ``g.order_items`` (a case is about one line of an order of
its account) and adds, at the volumes of :mod:`crmsim.data._volumes`: Issue__c, Knowledge__kav (up
to its target, counting the sales stage's policy articles), Case, CaseHistory__c, EmailMessage,
LiveChatVisitor and LiveChatTranscript. The planted signals and their checks are described in
:mod:`crmsim.data._service_model` and :mod:`crmsim.data._service_signals`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ._base import OrgGenerator
from ._service_cases import emit_cases
from ._service_knowledge import build_issues, build_knowledge
from ._service_messages import build_messages, chat_cases
from ._service_model import Line
from ._service_plan import CasePlanner
from ._service_signals import plant_case_signals
from ._service_truths import plant_lookalikes, plant_text_truths


def build_service(g: OrgGenerator) -> None:
    """Add the service records and plant the service latent variables."""
    lines = order_lines(g)
    if not lines:
        raise RuntimeError("service stage: the sales stage left no order lines (g.orders, g.order_items)")
    planner = CasePlanner(g, lines)
    issues = build_issues(g, planner.issue_lines())
    kb = build_knowledge(g, issues)
    specs = planner.plan(issues, chat_cases(g))
    emit_cases(g, specs)
    stories = build_messages(g, specs, kb)
    plant_case_signals(g, planner)
    plant_text_truths(g, specs, kb, stories)
    plant_lookalikes(g, lines)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def order_lines(g: OrgGenerator) -> list[Line]:
    """Every line of an activated order, with its order and account."""
    orders = {str(o["Id"]): o for o in getattr(g, "orders", None) or []}
    accounts = {str(a["Id"]): a for a in g.accounts}
    lines = []
    for item in getattr(g, "order_items", None) or []:
        order = orders.get(str(item["OrderId"]))
        if order is None or order.get("Status", "Activated") != "Activated" or not item.get("Product2Id"):
            continue
        account = accounts.get(str(order["AccountId"]))
        if account is not None:
            lines.append(Line(item, order, account, _as_date(order["EffectiveDate"])))
    return lines
