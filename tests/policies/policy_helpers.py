"""Constants and helpers the policy tests share: the shipped policies and Ids of the sandbox's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parents[2] / "policies"
ORGS = ("b2b", "b2c")
# Ids shaped like the sandbox's (key prefix, "Wt0", digits, checksum); the customer's own records first.
OWN_CONTACT = "003Wt0000000101AAA"
OWN_ACCOUNT = "001Wt0000000101AAA"
OWN_CASE = "500Wt0000000101AAA"
OWN_ORDER = "801Wt0000000101AAA"
OTHER_CONTACT = "003Wt0000000202AAA"
OTHER_ACCOUNT = "001Wt0000000202AAA"
AGENT = "005Wt0000000007AAA"


def records(*rows: dict[str, Any]) -> str:
    """An observation as the Salesforce tool renders it: compact JSON records."""
    return json.dumps(list(rows), ensure_ascii=False, separators=(", ", ": "))
