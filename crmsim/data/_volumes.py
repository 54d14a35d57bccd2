"""Record counts per object at scale 1.0, close to the CRMArena-Pro orgs (B2B ~29k, B2C ~55k)."""

from __future__ import annotations

B2B: dict[str, int] = {
    "Profile": 4,
    "User": 200,
    "Territory2": 10,
    "UserTerritory2Association": 200,
    "Account": 100,
    "Contact": 900,
    "ProductCatalog": 1,
    "ProductCategory": 10,
    "Product2": 50,
    "ProductCategoryProduct": 50,
    "Pricebook2": 2,
    "PricebookEntry": 100,
    "Lead": 1500,
    "Opportunity": 1200,
    "OpportunityLineItem": 4900,
    "Quote": 700,
    "QuoteLineItem": 3000,
    "Contract": 160,
    "Order": 160,
    "OrderItem": 640,
    "VoiceCallTranscript__c": 1500,
    "Task": 4800,
    "Event": 50,
    "Issue__c": 40,
    "Knowledge__kav": 200,
    "Case": 150,
    "CaseHistory__c": 400,
    "EmailMessage": 5700,
    "LiveChatVisitor": 60,
    "LiveChatTranscript": 60,
}

B2C: dict[str, int] = {
    "Profile": 4,
    "User": 200,
    "Territory2": 10,
    "UserTerritory2Association": 200,
    "Account": 6000,
    "Contact": 6000,
    "ProductCatalog": 1,
    "ProductCategory": 12,
    "Product2": 60,
    "ProductCategoryProduct": 60,
    "Pricebook2": 2,
    "PricebookEntry": 120,
    "Lead": 1000,
    "Opportunity": 800,
    "OpportunityLineItem": 1600,
    "Quote": 400,
    "QuoteLineItem": 900,
    "Contract": 100,
    "Order": 7000,
    "OrderItem": 11000,
    "VoiceCallTranscript__c": 600,
    "Task": 1800,
    "Event": 50,
    "Issue__c": 40,
    "Knowledge__kav": 200,
    "Case": 1500,
    "CaseHistory__c": 4200,
    "EmailMessage": 9000,
    "LiveChatVisitor": 1200,
    "LiveChatTranscript": 1200,
}

VOLUMES = {"b2b": B2B, "b2c": B2C}

# Objects whose size does not grow with the scale: the org's structure rather than its activity.
FIXED = frozenset({"Profile", "ProductCatalog", "Pricebook2", "Territory2"})
# Floors for small scales: the policy and how-to articles every task family needs exist regardless.
MINIMUM = {"Knowledge__kav": 20}


def target(org: str, obj: str, scale: float) -> int:
    """How many records of ``obj`` the org should hold at ``scale`` (at least 1)."""
    base = VOLUMES[org][obj]
    if obj in FIXED:
        return base
    return max(MINIMUM.get(obj, 1), round(base * scale))
