"""The shipped policies, loaded once for the policy tests."""

from __future__ import annotations

import pytest
from policy_helpers import SHIPPED

from crmsim.policies import PolicyEngine, load_policies


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    return PolicyEngine(load_policies(SHIPPED))
