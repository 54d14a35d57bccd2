"""Reference solvers of the sales-side task types, one module per family (imported here to register them).

- :mod:`._sales_rankings`: sales_amount_understanding, sales_cycle_understanding,
  conversion_rate_comprehension
- :mod:`._sales_leads`: lead_routing, lead_qualification
- :mod:`._sales_stages`: wrong_stage_rectification, activity_priority
- :mod:`._sales_quotes`: quote_approval, invalid_config
- :mod:`._sales_insight`: sales_insight_mining
"""

from __future__ import annotations

from . import _sales_insight, _sales_leads, _sales_quotes, _sales_rankings, _sales_stages  # noqa: F401
