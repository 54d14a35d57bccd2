"""Closed vocabularies of exact-match answers: US states, months, BANT factors, opportunity stages."""

from __future__ import annotations

STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}

# Codes that are also common English words or abbreviations: counted only where the text shows
# that a state is meant (the whole answer, "state: ID", "(IN)", a list of other codes).
AMBIGUOUS_STATES = frozenset({"ID", "OK", "OR", "IN", "ME", "HI", "DE", "PA", "MA", "CO", "LA", "AL", "SC", "MD"})

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
MONTH_ALIASES: dict[str, str] = {
    **{month: month for month in MONTHS},
    **{month[:3]: month for month in MONTHS if month != "May"},
    "Sept": "September",
}

BANT = ("Budget", "Authority", "Need", "Timeline")

STAGES = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")
