"""Generators of the service-side task types, one module per family (imported here to register them).

- :mod:`._service_agents`: handle_time, transfer_count, best_region_identification
- :mod:`._service_products`: monthly_trend_analysis, top_issue_identification
- :mod:`._service_cases`: case_routing, policy_violation_identification
- :mod:`._service_text`: knowledge_qa, named_entity_disambiguation
- :mod:`._service_privacy`: private_customer_information, internal_operation_data,
  confidential_company_knowledge

Shared definitions (periods, context text) are in :mod:`._service_common`.
"""

from __future__ import annotations

from . import _service_agents, _service_cases, _service_privacy, _service_products, _service_text  # noqa: F401
