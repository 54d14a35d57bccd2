"""Writes crmsim/sandbox/schemas/{b2b,b2c}.yaml from the tables below.

The YAML files are the schema the package loads; this script is only how they were first written,
kept so that a change to a shared object is made once. Run: python tools/make_schemas.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

S, TA, PK, MPK, D, DT, CUR, DBL, INT, PCT, B, EM, PH, URL, REF = (
    "string",
    "textarea",
    "picklist",
    "multipicklist",
    "date",
    "datetime",
    "currency",
    "double",
    "int",
    "percent",
    "boolean",
    "email",
    "phone",
    "url",
    "reference",
)

STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
]


def f(type_: str, desc: str, **extra: object) -> dict[str, object]:
    out: dict[str, object] = {"type": type_, "description": desc}
    out.update(extra)
    return out


def ref(target: str | list[str], rel: str, child: str | None, desc: str, **extra: object) -> dict[str, object]:
    targets = [target] if isinstance(target, str) else target
    out = f(REF, desc, referenceTo=targets, relationshipName=rel, **extra)
    if child:
        out["childRelationshipName"] = child
    return out


OWNER_NOTE = "User who owns the record"

COMMON: dict[str, dict[str, object]] = {
    "Profile": {
        "keyPrefix": "00e",
        "label": "Profile",
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Name of the permission profile", length=255, required=True),
        },
    },
    "User": {
        "keyPrefix": "005",
        "label": "User",
        "nameField": "Name",
        "composedName": ["FirstName", "LastName"],
        "fields": {
            "Alias": f(S, "Short handle shown in lists", length=8, required=True),
            "Email": f(EM, "Work email of the user", length=128, required=True),
            "EmailEncodingKey": f(
                PK, "Character set for outgoing email", values=["UTF-8", "ISO-8859-1"], required=True
            ),
            "FirstName": f(S, "Given name", length=40),
            "LastName": f(S, "Family name", length=80, required=True),
            "Name": f(S, "Full name, first name then last name", length=121, computed=True),
            "LanguageLocaleKey": f(
                PK, "Language of the user interface", values=["en_US", "en_GB", "fr", "de", "es"], required=True
            ),
            "LocaleSidKey": f(
                PK, "Locale for dates and numbers", values=["en_US", "en_GB", "fr_FR", "de_DE", "es_ES"], required=True
            ),
            "Phone": f(PH, "Work phone number", length=40),
            "ProfileId": ref("Profile", "Profile", "Users", "Permission profile of the user", required=True),
            "TimeZoneSidKey": f(
                PK,
                "Time zone of the user",
                values=[
                    "America/Los_Angeles",
                    "America/Denver",
                    "America/Chicago",
                    "America/New_York",
                    "Europe/London",
                ],
                required=True,
            ),
            "Username": f(S, "Login name, unique across the org", length=80, required=True),
            "IsActive": f(B, "Whether the user can log in", default=True),
        },
    },
    "Contact": {
        "keyPrefix": "003",
        "label": "Contact",
        "owned": True,
        "nameField": "Name",
        "composedName": ["FirstName", "LastName"],
        "fields": {
            "AccountId": ref("Account", "Account", "Contacts", "Account the contact belongs to"),
            "Email": f(EM, "Email address of the person", length=80),
            "FirstName": f(S, "Given name", length=40),
            "LastName": f(S, "Family name", length=80, required=True),
            "Name": f(S, "Full name, first name then last name", length=121, computed=True),
            "Phone": f(PH, "Phone number of the person", length=40),
        },
    },
    "Case": {
        "keyPrefix": "500",
        "label": "Case",
        "owned": True,
        "nameField": "CaseNumber",
        "fields": {
            "CaseNumber": f(S, "Sequential number shown to customers", length=30, autonumber=True),
            "AccountId": ref("Account", "Account", "Cases", "Customer account the case is about"),
            "ContactId": ref("Contact", "Contact", "Cases", "Person who raised the case"),
            "ClosedDate": f(DT, "When the case was closed; empty while open"),
            "Description": f(TA, "Customer's account of the problem", length=32000, searchable=True),
            "IssueId__c": ref("Issue__c", "IssueId__r", "Cases__r", "Known issue the case was traced to"),
            "OrderItemId__c": ref("OrderItem", "OrderItemId__r", "Cases__r", "Order line the case concerns"),
            "Priority": f(PK, "Urgency of the case", values=["High", "Medium", "Low"]),
            "Status": f(
                PK,
                "Where the case stands",
                values=["New", "Working", "Escalated", "Waiting on Customer", "Closed"],
                required=True,
                default="New",
            ),
            "Subject": f(S, "One-line summary of the case", length=255, searchable=True),
            "Origin": f(PK, "Channel the case came in through", values=["Phone", "Email", "Web", "Chat"]),
        },
    },
    "Knowledge__kav": {
        "keyPrefix": "ka0",
        "label": "Knowledge",
        "custom": False,
        "nameField": "Title",
        "fields": {
            "FAQ_Answer__c": f(
                TA, "Body of the article: the answer or the policy text", length=131072, searchable=True, custom=True
            ),
            "Summary": f(TA, "Short abstract of the article", length=1000, searchable=True),
            "Title": f(S, "Headline of the article", length=255, required=True, searchable=True),
            "UrlName": f(S, "Unique slug used in the article's address", length=255, required=True),
            "PublishStatus": f(
                PK, "Publication state of this version", values=["Draft", "Online", "Archived"], default="Online"
            ),
            "ArticleNumber": f(S, "Number shared by all versions of the article", length=30, autonumber=True),
        },
    },
    "ProductCatalog": {
        "keyPrefix": "0ZS",
        "label": "Catalog",
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Name of the catalog", length=255, required=True),
        },
    },
    "ProductCategory": {
        "keyPrefix": "0ZG",
        "label": "Product Category",
        "nameField": "Name",
        "fields": {
            "CatalogId": ref("ProductCatalog", "Catalog", "Categories", "Catalog the category sits in", required=True),
            "Name": f(S, "Name of the category", length=255, required=True, searchable=True),
        },
    },
    "Product2": {
        "keyPrefix": "01t",
        "label": "Product",
        "nameField": "Name",
        "fields": {
            "Description": f(TA, "What the product is and does", length=4000, searchable=True),
            "External_ID__c": f(S, "Identifier of the product in an outside system", length=255, custom=True),
            "IsActive": f(B, "Whether the product can be sold", default=True),
            "Name": f(S, "Product name", length=255, required=True, searchable=True),
            "ProductCode": f(S, "Internal stock code", length=255, searchable=True),
            "Family": f(PK, "Product line", values=["Hardware", "Software", "Services"]),
        },
    },
    "ProductCategoryProduct": {
        "keyPrefix": "0ZH",
        "label": "Product Category Product",
        "nameField": None,
        "fields": {
            "ProductCategoryId": ref(
                "ProductCategory", "ProductCategory", "CategoryProducts", "Category side of the link", required=True
            ),
            "ProductId": ref(
                "Product2", "Product", "ProductCategoryProducts", "Product side of the link", required=True
            ),
        },
    },
    "Pricebook2": {
        "keyPrefix": "01s",
        "label": "Price Book",
        "nameField": "Name",
        "fields": {
            "Description": f(TA, "What the price book is for", length=255),
            "IsActive": f(B, "Whether the price book can be used", default=True),
            "IsStandard": f(B, "Whether this is the org's standard price book", default=False),
            "Name": f(S, "Price book name", length=255, required=True, searchable=True),
            "ValidFrom": f(DT, "Start of the period the prices hold"),
            "ValidTo": f(DT, "End of the period the prices hold"),
        },
    },
    "PricebookEntry": {
        "keyPrefix": "01u",
        "label": "Price Book Entry",
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Name of the product priced", length=255, computed=True),
            "Pricebook2Id": ref(
                "Pricebook2", "Pricebook2", "PricebookEntries", "Price book the entry belongs to", required=True
            ),
            "Product2Id": ref("Product2", "Product2", "PricebookEntries", "Product the entry prices", required=True),
            "UnitPrice": f(CUR, "List price of one unit", precision=18, scale=2, required=True),
            "IsActive": f(B, "Whether the entry can be used", default=True),
        },
    },
    "Order": {
        "keyPrefix": "801",
        "label": "Order",
        "owned": True,
        "nameField": "OrderNumber",
        "fields": {
            "OrderNumber": f(S, "Sequential order number", length=30, autonumber=True),
            "AccountId": ref("Account", "Account", "Orders", "Customer account that placed the order", required=True),
            "EffectiveDate": f(D, "Date the order takes effect", required=True),
            "Pricebook2Id": ref("Pricebook2", "Pricebook2", "Orders", "Price book used for the order"),
            "Status": f(PK, "Stage of the order", values=["Draft", "Activated"], required=True, default="Draft"),
        },
    },
    "OrderItem": {
        "keyPrefix": "802",
        "label": "Order Product",
        "nameField": "OrderItemNumber",
        "fields": {
            "OrderItemNumber": f(S, "Sequential line number", length=30, autonumber=True),
            "OrderId": ref("Order", "Order", "OrderItems", "Order the line belongs to", required=True),
            "PricebookEntryId": ref(
                "PricebookEntry",
                "PricebookEntry",
                "OrderItems",
                "Price book entry the line was priced from",
                required=True,
            ),
            "Product2Id": ref("Product2", "Product2", "OrderItems", "Product ordered"),
            "Quantity": f(DBL, "Number of units", precision=18, scale=2, required=True),
            "UnitPrice": f(CUR, "Price charged per unit", precision=18, scale=2, required=True),
        },
    },
    "EmailMessage": {
        "keyPrefix": "02s",
        "label": "Email Message",
        "nameField": "Subject",
        "fields": {
            "FromAddress": f(EM, "Sender's address", length=255),
            "MessageDate": f(DT, "When the email was sent"),
            "ParentId": ref("Case", "Parent", "EmailMessages", "Case the email belongs to"),
            "RelatedToId": ref(
                ["Account", "Case", "Opportunity", "Lead"], "RelatedTo", None, "Record the email is about"
            ),
            "Subject": f(S, "Subject line", length=3000, searchable=True),
            "TextBody": f(TA, "Plain-text body", length=131072, searchable=True),
            "ToIds": f(TA, "Ids of the recipients, comma-separated", length=4000),
        },
    },
    "LiveChatVisitor": {
        "keyPrefix": "571",
        "label": "Chat Visitor",
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Visitor session name", length=80, autonumber=True),
        },
    },
    "LiveChatTranscript": {
        "keyPrefix": "570",
        "label": "Chat Transcript",
        "owned": True,
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Transcript number", length=80, autonumber=True),
            "AccountId": ref("Account", "Account", "LiveChatTranscripts", "Account of the customer who chatted"),
            "Body": f(TA, "Full text of the chat", length=131072, searchable=True),
            "CaseId": ref("Case", "Case", "LiveChatTranscripts", "Case the chat is about"),
            "ContactId": ref("Contact", "Contact", "LiveChatTranscripts", "Person who chatted"),
            "EndTime": f(DT, "When the chat ended"),
            "LiveChatVisitorId": ref(
                "LiveChatVisitor",
                "LiveChatVisitor",
                "LiveChatTranscripts",
                "Visitor session of the chat",
                required=True,
            ),
        },
    },
    "Issue__c": {
        "keyPrefix": "a03",
        "label": "Issue",
        "custom": True,
        "owned": True,
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Short name of the known issue", length=80, required=True, searchable=True),
        },
    },
    "CaseHistory__c": {
        "keyPrefix": "a01",
        "label": "Case History",
        "custom": True,
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Record number", length=80, autonumber=True),
            "CaseId__c": ref(
                "Case", "CaseId__r", "CaseHistories__r", "Case whose change is recorded", custom=True, required=True
            ),
            "Field__c": f(
                PK,
                "Which case field changed",
                values=["Case Creation", "Owner Assignment", "Case Closed"],
                custom=True,
            ),
            "NewValue__c": f(S, "Value after the change", length=255, custom=True),
            "OldValue__c": f(S, "Value before the change", length=255, custom=True),
        },
    },
    "Opportunity": {
        "keyPrefix": "006",
        "label": "Opportunity",
        "owned": True,
        "nameField": "Name",
        "fields": {
            "AccountId": ref("Account", "Account", "Opportunities", "Account the deal is with"),
            "Amount": f(CUR, "Expected deal value", precision=18, scale=2),
            "CloseDate": f(D, "Expected or actual close date", required=True),
            "ContactId": ref("Contact", "Contact", "Opportunities", "Main contact for the deal"),
            "ContractID__c": ref(
                "Contract", "ContractID__r", "Opportunities__r", "Contract signed for the deal", custom=True
            ),
            "Description": f(TA, "Notes on the deal", length=32000, searchable=True),
            "Name": f(S, "Name of the deal", length=120, required=True, searchable=True),
            "Probability": f(PCT, "Likelihood of closing, in percent", precision=3, scale=0),
            "StageName": f(
                PK,
                "Sales stage of the deal",
                values=["Qualification", "Discovery", "Quote", "Negotiation", "Closed"],
                required=True,
            ),
            "IsClosed": f(B, "Whether the deal is in a closed stage", default=False),
            "IsWon": f(B, "Whether the deal was won", default=False),
        },
    },
    "OpportunityLineItem": {
        "keyPrefix": "00k",
        "label": "Opportunity Product",
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Name of the line", length=376, computed=True),
            "OpportunityId": ref(
                "Opportunity", "Opportunity", "OpportunityLineItems", "Deal the line belongs to", required=True
            ),
            "PricebookEntryId": ref(
                "PricebookEntry", "PricebookEntry", "OpportunityLineItems", "Price book entry of the product"
            ),
            "Product2Id": ref("Product2", "Product2", "OpportunityLineItems", "Product on the line"),
            "Quantity": f(DBL, "Number of units", precision=18, scale=2, required=True),
            "TotalPrice": f(CUR, "Quantity times sales price", precision=18, scale=2),
            "UnitPrice": f(CUR, "Sales price per unit", precision=18, scale=2),
        },
    },
    "Quote": {
        "keyPrefix": "0Q0",
        "label": "Quote",
        "owned": True,
        "nameField": "Name",
        "fields": {
            "AccountId": ref("Account", "Account", "Quotes", "Account the quote is for"),
            "ContactId": ref("Contact", "Contact", "Quotes", "Person the quote is addressed to"),
            "Description": f(TA, "Notes on the quote", length=32000, searchable=True),
            "ExpirationDate": f(D, "Last day the quote is valid"),
            "Name": f(S, "Name of the quote", length=255, required=True, searchable=True),
            "OpportunityId": ref("Opportunity", "Opportunity", "Quotes", "Deal the quote was made for", required=True),
            "Status": f(
                PK,
                "Approval state of the quote",
                values=[
                    "Draft",
                    "Needs Review",
                    "In Review",
                    "Approved",
                    "Rejected",
                    "Presented",
                    "Accepted",
                    "Denied",
                ],
                default="Draft",
            ),
        },
    },
    "QuoteLineItem": {
        "keyPrefix": "0QL",
        "label": "Quote Line Item",
        "nameField": "LineNumber",
        "fields": {
            "LineNumber": f(S, "Sequential line number", length=255, autonumber=True),
            "Discount": f(PCT, "Discount on the line, in percent", precision=3, scale=2),
            "OpportunityLineItemId": ref(
                "OpportunityLineItem", "OpportunityLineItem", None, "Opportunity line the quote line came from"
            ),
            "PricebookEntryId": ref(
                "PricebookEntry", "PricebookEntry", "QuoteLineItems", "Price book entry of the product", required=True
            ),
            "Product2Id": ref("Product2", "Product2", "QuoteLineItems", "Product on the line"),
            "Quantity": f(DBL, "Number of units", precision=18, scale=2, required=True),
            "QuoteId": ref("Quote", "Quote", "QuoteLineItems", "Quote the line belongs to", required=True),
            "TotalPrice": f(CUR, "Quantity times unit price, after discount", precision=18, scale=2),
            "UnitPrice": f(CUR, "Sales price per unit", precision=18, scale=2, required=True),
        },
    },
    "Contract": {
        "keyPrefix": "800",
        "label": "Contract",
        "owned": True,
        "nameField": "ContractNumber",
        "fields": {
            "ContractNumber": f(S, "Sequential contract number", length=30, autonumber=True),
            "AccountId": ref("Account", "Account", "Contracts", "Account that signed the contract", required=True),
            "CompanySignedDate": f(D, "Date our company signed"),
            "ContractTerm": f(INT, "Length of the contract in months", precision=4, scale=0),
            "CustomerSignedDate": f(D, "Date the customer signed"),
            "Description": f(TA, "Terms summary", length=32000, searchable=True),
            "StartDate": f(D, "First day the contract is in force"),
            "Status": f(
                PK,
                "Contract state",
                values=["Draft", "In Approval Process", "Activated", "Rejected", "Negotiating", "Awaiting Signature", "Signature Declined", "Signed", "Canceled", "Contract Terminated"],
                required=True,
                default="Draft",
            ),
        },
    },
    "VoiceCallTranscript__c": {
        "keyPrefix": "a02",
        "label": "Voice Call Transcript",
        "custom": True,
        "nameField": "Name",
        "fields": {
            "Name": f(S, "Record number", length=80, autonumber=True),
            "EndTime__c": f(DT, "When the call ended", custom=True),
            "LeadId__c": ref("Lead", "LeadId__r", "VoiceCallTranscripts__r", "Lead on the call", custom=True),
            "OpportunityId__c": ref(
                "Opportunity", "OpportunityId__r", "VoiceCallTranscripts__r", "Deal discussed on the call", custom=True
            ),
        },
    },
    "Task": {
        "keyPrefix": "00T",
        "label": "Task",
        "owned": True,
        "nameField": "Subject",
        "fields": {
            "ActivityDate": f(D, "Due date"),
            "Description": f(TA, "Details of the task", length=32000, searchable=True),
            "Priority": f(PK, "Urgency of the task", values=["High", "Normal", "Low"], required=True, default="Normal"),
            "Status": f(
                PK,
                "Progress of the task",
                values=["Not Started", "In Progress", "Completed", "Deferred", "Waiting"],
                required=True,
                default="Not Started",
            ),
            "Subject": f(S, "What the task is", length=255, searchable=True),
            "WhatId": ref(
                ["Account", "Opportunity", "Case", "Quote", "Contract", "Order"],
                "What",
                "Tasks",
                "Record the task relates to",
            ),
        },
    },
    "Event": {
        "keyPrefix": "00U",
        "label": "Event",
        "owned": True,
        "nameField": "Subject",
        "fields": {
            "Description": f(TA, "Details of the meeting", length=32000, searchable=True),
            "DurationInMinutes": f(INT, "Length of the event in minutes", precision=8, scale=0),
            "IsAllDayEvent": f(B, "Whether the event takes the whole day", default=False),
            "Location": f(S, "Where the event takes place", length=255),
            "StartDateTime": f(DT, "When the event starts"),
            "Subject": f(S, "Title of the event", length=255, searchable=True),
            "WhatId": ref(
                ["Account", "Opportunity", "Case", "Quote", "Contract", "Order"],
                "What",
                "Events",
                "Record the event relates to",
            ),
        },
    },
    "Territory2": {
        "keyPrefix": "0MI",
        "label": "Territory",
        "nameField": "Name",
        "fields": {
            "Description": f(
                TA, "States or regions the territory covers, comma-separated", length=1000, searchable=True
            ),
            "Name": f(S, "Name of the territory", length=80, required=True, searchable=True),
        },
    },
    "UserTerritory2Association": {
        "keyPrefix": "0R0",
        "label": "User Territory Association",
        "nameField": None,
        "fields": {
            "Territory2Id": ref(
                "Territory2",
                "Territory2",
                "UserTerritory2Associations",
                "Territory the user is assigned to",
                required=True,
            ),
            "UserId": ref(
                "User", "User", "UserTerritory2Associations", "User assigned to the territory", required=True
            ),
            "RoleInTerritory2": f(PK, "Role the user plays in the territory", values=["Owner", "Sales Rep"]),
        },
    },
    "Lead": {
        "keyPrefix": "00Q",
        "label": "Lead",
        "owned": True,
        "nameField": "Name",
        "composedName": ["FirstName", "LastName"],
        "fields": {
            "ConvertedAccountId": ref("Account", "ConvertedAccount", None, "Account created when the lead converted"),
            "ConvertedContactId": ref("Contact", "ConvertedContact", None, "Contact created when the lead converted"),
            "ConvertedOpportunityId": ref(
                "Opportunity", "ConvertedOpportunity", None, "Deal created when the lead converted"
            ),
            "ConvertedDate": f(D, "Date the lead converted"),
            "Email": f(EM, "Email address of the lead", length=80, searchable=True),
            "FirstName": f(S, "Given name", length=40),
            "IsConverted": f(B, "Whether the lead has converted", default=False),
            "LastName": f(S, "Family name", length=80, required=True),
            "Name": f(S, "Full name, first name then last name", length=121, computed=True, searchable=True),
            "Phone": f(PH, "Phone number of the lead", length=40),
            "Status": f(
                PK,
                "Qualification state of the lead",
                values=["New", "Contacted", "Qualified", "Proposal", "Negotiation", "Closed"],
                required=True,
                default="New",
            ),
            "LeadSource": f(
                PK,
                "Where the lead came from",
                values=["Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Other"],
            ),
        },
    },
}

B2B_ACCOUNT = {
    "keyPrefix": "001",
    "label": "Account",
    "owned": True,
    "nameField": "Name",
    "fields": {
        "Description": f(TA, "Notes on the customer company", length=32000, searchable=True),
        "Industry": f(
            PK,
            "Industry the company works in",
            values=[
                "Technology",
                "Manufacturing",
                "Healthcare",
                "Finance",
                "Retail",
                "Energy",
                "Education",
                "Telecommunications",
                "Transportation",
                "Government",
            ],
        ),
        "Name": f(S, "Company name", length=255, required=True, searchable=True),
        "NumberOfEmployees": f(INT, "Head count of the company", precision=8, scale=0),
        "Phone": f(PH, "Main phone number", length=40),
        "ShippingState": f(S, "State of the shipping address, as a two-letter code", length=80),
        "Type": f(PK, "Relationship with the company", values=["Prospect", "Customer", "Partner", "Other"]),
    },
}

B2C_ACCOUNT = {
    "keyPrefix": "001",
    "label": "Account",
    "owned": True,
    "nameField": "Name",
    "composedName": ["FirstName", "LastName"],
    "fields": {
        "Description": f(TA, "Notes on the customer", length=32000, searchable=True),
        "FirstName": f(S, "Given name of the person account", length=40),
        "LastName": f(S, "Family name of the person account", length=80),
        "Name": f(S, "Full name of the customer", length=255, computed=True, searchable=True),
        "PersonEmail": f(EM, "Email address of the customer", length=80, searchable=True),
        "Phone": f(PH, "Phone number of the customer", length=40),
        "ShippingState": f(S, "State of the shipping address, as a two-letter code", length=80),
        "IsPersonAccount": f(B, "Whether the account represents one person", default=True),
    },
}


def build(org: str) -> dict[str, object]:
    objects = {name: _copy(spec) for name, spec in COMMON.items()}
    if org == "b2b":
        objects["Account"] = _copy(B2B_ACCOUNT)
        objects["Account"]["fields"]["ParentId"] = ref(
            "Account", "Parent", "ChildAccounts", "Parent company in a hierarchy"
        )
        objects["Issue__c"]["fields"]["IssueDescription__c"] = f(
            TA, "What goes wrong and how it shows", length=32000, custom=True, searchable=True
        )
        objects["VoiceCallTranscript__c"]["fields"]["TranscriptBody__c"] = f(
            TA, "Full text of the call", length=131072, custom=True, searchable=True
        )
        objects["Lead"]["fields"]["Company"] = f(
            S, "Company the lead works for", length=255, required=True, searchable=True
        )
        objects["Lead"]["fields"]["Title"] = f(S, "Job title of the lead", length=128, searchable=True)
    else:
        objects["Account"] = _copy(B2C_ACCOUNT)
        objects["Issue__c"]["fields"]["Description__c"] = f(
            TA, "What goes wrong and how it shows", length=32000, custom=True, searchable=True
        )
        objects["VoiceCallTranscript__c"]["fields"]["Body__c"] = f(
            TA, "Full text of the call", length=131072, custom=True, searchable=True
        )
        objects["Contract"]["fields"].pop("CompanySignedDate")
        objects["Lead"]["fields"]["Company"] = f(S, "Company the lead works for, if any", length=255, searchable=True)
    for spec in objects.values():
        fields = spec["fields"]
        for name, field in fields.items():
            if name.endswith("__c"):
                field["custom"] = True
    ordered = {name: objects[name] for name in sorted(objects, key=_order)}
    return {"org": org, "description": f"The {org.upper()} org of crmsim's CRMArena-Pro rebuild.", "objects": ordered}


_ORDER = [
    "Profile",
    "User",
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityLineItem",
    "Quote",
    "QuoteLineItem",
    "Contract",
    "Case",
    "CaseHistory__c",
    "Issue__c",
    "Knowledge__kav",
    "ProductCatalog",
    "ProductCategory",
    "Product2",
    "ProductCategoryProduct",
    "Pricebook2",
    "PricebookEntry",
    "Order",
    "OrderItem",
    "EmailMessage",
    "LiveChatVisitor",
    "LiveChatTranscript",
    "VoiceCallTranscript__c",
    "Task",
    "Event",
    "Territory2",
    "UserTerritory2Association",
]


def _order(name: str) -> int:
    return _ORDER.index(name)


def _copy(spec: dict[str, object]) -> dict[str, object]:
    import copy

    return copy.deepcopy(spec)


def main() -> None:
    out_dir = Path(__file__).resolve().parent.parent / "crmsim" / "sandbox" / "schema" / "orgs"
    for org in ("b2b", "b2c"):
        text = yaml.safe_dump(build(org), sort_keys=False, width=110, allow_unicode=True)
        header = f"# Schema of the {org} org. Objects, fields, types and relationships; system fields\n# (Id, CreatedDate, OwnerId, ...) are added by crmsim.sandbox.schema when loading.\n"
        (out_dir / f"{org}.yaml").write_text(header + text)


if __name__ == "__main__":
    main()
