"""SOSL execution on a small org database: FTS5 matching, field groups, RETURNING, limits, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmsim.errors import InvalidField, InvalidType, MalformedQuery, SalesforceError
from crmsim.sandbox.ids import make_id
from crmsim.sandbox.schema import org_schema
from crmsim.sandbox.soql import SoqlEngine
from crmsim.sandbox.sosl import SearchGroup, execute_sosl, object_indexes, rebuild_search_index
from crmsim.sandbox.sosl import _search as search_module
from crmsim.sandbox.store import Store

SCHEMA = org_schema("b2b")


def _id(obj: str, n: int) -> str:
    return make_id(SCHEMA.objects[obj].keyPrefix, n)


ACME, CAFE, GLOBEX, OLD_ACME, ANVIL_WORKS = (_id("Account", n) for n in range(1, 6))
JANE, JOHN, JOHAN, JOAN = (_id("Contact", n) for n in range(1, 5))
LEAD = _id("Lead", 1)
CASE = _id("Case", 1)
ARTICLE = _id("Knowledge__kav", 1)
PRODUCT = _id("Product2", 1)

ROWS: dict[str, list[dict[str, Any]]] = {
    "Account": [
        {"Id": ACME, "Name": "Acme Corporation", "Description": "Anvils, rockets and other desert gear",
         "Industry": "Manufacturing", "NumberOfEmployees": 500},
        {"Id": CAFE, "Name": "Café Crème Holdings", "Description": "Coffee roaster from Zürich",
         "Phone": "(415) 555-1234", "Industry": "Energy", "NumberOfEmployees": 40},
        {"Id": GLOBEX, "Name": "Globex", "Description": "Sells to Acme and others", "Industry": "Energy",
         "NumberOfEmployees": 90},
        {"Id": OLD_ACME, "Name": "Old Acme", "Description": "In the recycle bin", "IsDeleted": 1},
        {"Id": ANVIL_WORKS, "Name": "Anvil", "Description": "anvil anvil anvil", "Industry": "Manufacturing"},
    ],
    "Contact": [
        {"Id": JANE, "FirstName": "Jane", "LastName": "Doe", "Email": "jane.doe@acme.com", "Phone": "555 0101",
         "AccountId": ACME},
        {"Id": JOHN, "FirstName": "John", "LastName": "Smith", "Email": "john@globex.com", "AccountId": GLOBEX},
        {"Id": JOHAN, "FirstName": "Johan", "LastName": "Berg", "Email": "johan@example.org"},
        {"Id": JOAN, "FirstName": "Joan", "LastName": "Rivers", "Email": "joan@example.org"},
    ],
    "Lead": [{"Id": LEAD, "FirstName": "Wile", "LastName": "Coyote", "Company": "Acme Rockets",
              "Email": "wile@desert.net", "Title": "Genius"}],
    "Case": [{"Id": CASE, "Subject": "Rocket misfire", "Description": "The acme rocket went sideways",
              "Status": "New"}],
    "Knowledge__kav": [{"Id": ARTICLE, "Title": "Returning a rocket", "Summary": "How to send back an acme rocket"}],
    "Product2": [{"Id": PRODUCT, "Name": "Rocket Skates", "Description": "Acme brand"}],
}  # fmt: skip


def _fill(store: Store) -> None:
    for name, rows in ROWS.items():
        store.insert_rows(SCHEMA.objects[name], rows)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.create(tmp_path / "org.db", SCHEMA)
    _fill(store)
    yield store
    store.close()


@pytest.fixture
def engine(store: Store) -> SoqlEngine:
    return SoqlEngine(store)


async def search(store: Store, engine: SoqlEngine, text: str, **kwargs: Any) -> list[dict[str, Any]]:
    result = await execute_sosl(store, engine, text, **kwargs)
    assert set(result) <= {"searchRecords", "searchResultsMetadata"}
    records: list[dict[str, Any]] = result["searchRecords"]
    return records


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [str(r["attributes"]["url"]).rsplit("/", 1)[-1] for r in records]


# -- matching ------------------------------------------------------------------------------------


async def test_case_insensitive(store: Store, engine: SoqlEngine) -> None:
    for term in ("acme", "ACME", "AcMe"):
        assert ACME in ids(await search(store, engine, f"FIND {{{term}}} RETURNING Account"))


async def test_accent_insensitive_both_ways(store: Store, engine: SoqlEngine) -> None:
    assert ids(await search(store, engine, "FIND {cafe creme} RETURNING Account")) == [CAFE]
    assert ids(await search(store, engine, "FIND {CRÈME} RETURNING Account")) == [CAFE]
    assert ids(await search(store, engine, "FIND {zurich} RETURNING Account")) == [CAFE]
    assert ids(await search(store, engine, "FIND {zürich} RETURNING Account")) == [CAFE]


async def test_phrase_matches_words_in_order(store: Store, engine: SoqlEngine) -> None:
    assert ids(await search(store, engine, 'FIND {"acme corporation"} RETURNING Account')) == [ACME]
    assert await search(store, engine, 'FIND {"corporation acme"} RETURNING Account') == []


async def test_phrase_must_sit_in_one_field(store: Store, engine: SoqlEngine) -> None:
    # "Globex" is the Name, "Sells" starts the Description: not one phrase
    assert await search(store, engine, 'FIND {"globex sells"} RETURNING Account') == []
    assert ids(await search(store, engine, "FIND {globex sells} RETURNING Account")) == [GLOBEX]


async def test_and_or_and_not(store: Store, engine: SoqlEngine) -> None:
    both = ids(await search(store, engine, "FIND {acme AND rockets} RETURNING Account"))
    assert both == [ACME]
    either = ids(await search(store, engine, "FIND {zurich OR rockets} RETURNING Account"))
    assert sorted(either) == sorted([ACME, CAFE])
    excluded = ids(await search(store, engine, "FIND {acme AND NOT anvils} RETURNING Account"))
    assert excluded == [GLOBEX]
    grouped = ids(await search(store, engine, "FIND {acme AND NOT (anvils OR others)} RETURNING Account"))
    assert grouped == []


async def test_prefix_wildcard(store: Store, engine: SoqlEngine) -> None:
    assert sorted(ids(await search(store, engine, "FIND {rock*} RETURNING Account"))) == [ACME]
    assert sorted(ids(await search(store, engine, "FIND {jo*} RETURNING Contact"))) == sorted([JOHN, JOHAN, JOAN])


async def test_middle_wildcards(store: Store, engine: SoqlEngine) -> None:
    one = ids(await search(store, engine, "FIND {jo?n} RETURNING Contact"))
    assert sorted(one) == sorted([JOHN, JOAN])  # not Johan: ? is exactly one character
    many = ids(await search(store, engine, "FIND {an*ls} RETURNING Account"))
    assert many == [ACME]  # "anvils"; "anvil" does not end in ls
    in_phrase = ids(await search(store, engine, 'FIND {"coffee r?aster"} RETURNING Account'))
    assert in_phrase == [CAFE]


async def test_middle_wildcard_inside_boolean_expression(store: Store, engine: SoqlEngine) -> None:
    found = ids(await search(store, engine, "FIND {acme AND NOT an*ls} RETURNING Account"))
    assert found == [GLOBEX]
    found = ids(await search(store, engine, "FIND {zur?ch OR an*ls} RETURNING Account"))
    assert sorted(found) == sorted([ACME, CAFE])


WILDCARD_QUERIES = [
    "FIND {jo?n} RETURNING Contact",
    "FIND {an*ls} RETURNING Account",
    'FIND {"coffee r?aster"} RETURNING Account',
    "FIND {acme AND NOT an*ls} RETURNING Account",
    "FIND {zur?ch OR an*ls} RETURNING Account, Contact",
    "FIND {j?n* OR xx?yy} IN EMAIL FIELDS RETURNING Contact",
    "FIND {desert AND NOT (r?ckets OR nothing)} RETURNING Account, Lead",
]


@pytest.mark.parametrize("text", WILDCARD_QUERIES)
async def test_row_check_fallback_agrees_with_vocabulary_expansion(
    store: Store, engine: SoqlEngine, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expanded = await search(store, engine, text)
    monkeypatch.setattr(search_module, "MAX_EXPANSION", 0)  # every wildcard term takes the row-check path
    checked = await search(store, engine, text)
    assert sorted(ids(checked)) == sorted(ids(expanded))


async def test_escaped_wildcard_is_not_a_wildcard(store: Store, engine: SoqlEngine) -> None:
    assert await search(store, engine, r"FIND {rock\*} RETURNING Account") == []


async def test_tokens_inside_emails_and_punctuated_words(store: Store, engine: SoqlEngine) -> None:
    assert ids(await search(store, engine, "FIND {jane.doe@acme.com} RETURNING Contact")) == [JANE]
    assert ids(await search(store, engine, "FIND {doe} RETURNING Contact")) == [JANE]


async def test_composed_name_is_searchable_as_a_phrase(store: Store, engine: SoqlEngine) -> None:
    # Contact.Name is computed and not stored by insert_rows; the index composes it itself
    assert ids(await search(store, engine, 'FIND {"jane doe"} IN NAME FIELDS RETURNING Contact')) == [JANE]


async def test_relevance_order_without_order_by(store: Store, engine: SoqlEngine) -> None:
    found = ids(await search(store, engine, "FIND {anvil*} RETURNING Account"))
    assert found == [ANVIL_WORKS, ACME]


# -- IN ... FIELDS ---------------------------------------------------------------------------------


async def test_in_name_fields(store: Store, engine: SoqlEngine) -> None:
    # "acme" is in GLOBEX's description, JANE's email, the lead's company and the case text
    found = await search(store, engine, "FIND {acme} IN NAME FIELDS RETURNING Account, Contact, Lead, Case")
    assert ids(found) == [ACME, LEAD]
    case = await search(store, engine, "FIND {misfire} IN NAME FIELDS RETURNING Case")
    assert ids(case) == [CASE]  # Case.Subject counts as a name field, as in Salesforce


async def test_in_email_fields(store: Store, engine: SoqlEngine) -> None:
    found = await search(store, engine, "FIND {acme} IN EMAIL FIELDS RETURNING Account, Contact, Lead")
    assert ids(found) == [JANE]
    assert await search(store, engine, "FIND {jane} IN EMAIL FIELDS RETURNING Account") == []


async def test_in_phone_fields(store: Store, engine: SoqlEngine) -> None:
    for term in (r"\(415\) 555\-1234", "4155551234", "555*", r"555\-1234"):
        found = ids(await search(store, engine, f"FIND {{{term}}} IN PHONE FIELDS RETURNING Account"))
        assert found == [CAFE], term
    assert await search(store, engine, "FIND {roaster} IN PHONE FIELDS RETURNING Account") == []


async def test_in_all_and_sidebar_fields(store: Store, engine: SoqlEngine) -> None:
    for group in ("ALL", "SIDEBAR"):
        found = ids(await search(store, engine, f"FIND {{desert}} IN {group} FIELDS RETURNING Account, Lead"))
        assert found == [ACME, LEAD]


async def test_in_clause_does_not_narrow_articles(store: Store, engine: SoqlEngine) -> None:
    found = await search(store, engine, "FIND {send} IN NAME FIELDS RETURNING Knowledge__kav(Title)")
    assert found == [
        {
            "attributes": {"type": "Knowledge__kav", "url": f"/services/data/v62.0/sobjects/Knowledge__kav/{ARTICLE}"},
            "Title": "Returning a rocket",
        }
    ]


# -- records and RETURNING -----------------------------------------------------------------------


async def test_without_returning_ids_of_every_searchable_object(store: Store, engine: SoqlEngine) -> None:
    found = await search(store, engine, "FIND {acme}")
    assert [r["attributes"]["type"] for r in found] == ["Account", "Account", "Contact", "Lead", "Case"]
    assert {
        "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{ACME}"},
        "Id": ACME,
    } in found
    # articles and products only come back when named in RETURNING
    named = await search(store, engine, "FIND {acme} RETURNING Product2(Name), Knowledge__kav")
    assert ids(named) == [PRODUCT, ARTICLE]


async def test_returning_fields_where_order_limit_offset(store: Store, engine: SoqlEngine) -> None:
    text = (
        "FIND {acme OR zurich OR anvil} RETURNING "
        "Account(Name, NumberOfEmployees WHERE Industry = 'Manufacturing' OR NumberOfEmployees < 50 "
        "ORDER BY NumberOfEmployees DESC NULLS LAST LIMIT 2 OFFSET 1), "
        "Contact(Email, Account.Name ORDER BY Email)"
    )
    found = await search(store, engine, text)
    assert found == [
        {
            "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{CAFE}"},
            "Name": "Café Crème Holdings",
            "NumberOfEmployees": 40,
        },
        {
            "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{ANVIL_WORKS}"},
            "Name": "Anvil",
            "NumberOfEmployees": None,
        },
        {
            "attributes": {"type": "Contact", "url": f"/services/data/v62.0/sobjects/Contact/{JANE}"},
            "Email": "jane.doe@acme.com",
            "Account": {
                "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{ACME}"},
                "Name": "Acme Corporation",
            },
        },
    ]


async def test_where_keeps_relevance_order(store: Store, engine: SoqlEngine) -> None:
    text = "FIND {anvil*} RETURNING Account(Name WHERE Industry = 'Manufacturing')"
    assert ids(await search(store, engine, text)) == [ANVIL_WORKS, ACME]
    text = "FIND {anvil*} RETURNING Account(Name WHERE Industry = 'Manufacturing' LIMIT 1 OFFSET 1)"
    assert ids(await search(store, engine, text)) == [ACME]


async def test_results_grouped_in_returning_order(store: Store, engine: SoqlEngine) -> None:
    found = await search(store, engine, "FIND {acme} RETURNING Case, Lead, Account")
    assert [r["attributes"]["type"] for r in found] == ["Case", "Lead", "Account", "Account"]


async def test_object_names_and_id_case_are_canonical(store: Store, engine: SoqlEngine) -> None:
    found = await search(store, engine, "FIND {globex} RETURNING account(id)")
    assert found == [
        {"attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{GLOBEX}"}, "Id": GLOBEX}
    ]


async def test_api_version_in_urls(store: Store, engine: SoqlEngine) -> None:
    found = await search(store, engine, "FIND {globex} RETURNING Account(Name)", api_version="v58.0")
    assert found[0]["attributes"]["url"] == f"/services/data/v58.0/sobjects/Account/{GLOBEX}"


async def test_deleted_rows_excluded(store: Store, engine: SoqlEngine) -> None:
    assert OLD_ACME not in ids(await search(store, engine, "FIND {acme}"))
    assert await search(store, engine, "FIND {recycle} RETURNING Account(Name)") == []


async def test_overall_limit_is_shared_evenly(store: Store, engine: SoqlEngine) -> None:
    # 3 accounts, 1 contact, 1 lead and 1 case match; 4 slots: one each, then the rest to accounts
    found = await search(store, engine, "FIND {acme OR rocket*} RETURNING Account, Contact, Lead, Case LIMIT 4")
    assert [r["attributes"]["type"] for r in found] == ["Account", "Contact", "Lead", "Case"]
    found = await search(store, engine, "FIND {acme OR rocket*} RETURNING Account, Contact LIMIT 3")
    assert [r["attributes"]["type"] for r in found] == ["Account", "Account", "Contact"]


async def test_object_limits_use_up_the_overall_limit_in_order(store: Store, engine: SoqlEngine) -> None:
    text = "FIND {acme OR rocket*} RETURNING Account(Id LIMIT 1), Lead, Case(Id LIMIT 5) LIMIT 2"
    found = await search(store, engine, text)
    assert [r["attributes"]["type"] for r in found] == ["Account", "Lead"]
    assert await search(store, engine, "FIND {acme} RETURNING Account(Id LIMIT 0)") == []


async def test_metadata_labels(store: Store, engine: SoqlEngine) -> None:
    result = await execute_sosl(store, engine, "FIND {globex} RETURNING Account(Name, Industry) WITH METADATA='LABELS'")
    labels = result["searchResultsMetadata"]["entityLabelMetadata"]
    assert labels[0]["entityName"] == "Account"
    assert [f["name"] for f in labels[0]["entityFieldLabels"]] == ["Name", "Industry"]


async def test_other_with_clauses_change_nothing(store: Store, engine: SoqlEngine) -> None:
    plain = await search(store, engine, "FIND {acme} RETURNING Account(Name)")
    text = (
        "FIND {acme} RETURNING Account(Name) WITH SNIPPET WITH HIGHLIGHT WITH SPELL_CORRECTION = true "
        "WITH DIVISION = 'Global' WITH NETWORK = '0DB000000000001' WITH PRICEBOOKID = '01s000000000001' "
        "UPDATE VIEWSTAT"
    )
    assert await search(store, engine, text) == plain


async def test_too_long_search_term_returns_nothing(store: Store, engine: SoqlEngine) -> None:
    term = " OR ".join(["acme"] * 2100)
    assert await search(store, engine, f"FIND {{{term}}} RETURNING Account") == []


# -- errors --------------------------------------------------------------------------------------


async def test_unknown_object(store: Store, engine: SoqlEngine) -> None:
    with pytest.raises(InvalidType) as info:
        await search(store, engine, "FIND {acme} RETURNING Acount(Name)")
    assert "sObject type 'Acount' is not supported" in info.value.message
    assert "ERROR at Row:1:Column:23" in info.value.message


async def test_object_without_searchable_fields(store: Store, engine: SoqlEngine) -> None:
    with pytest.raises(InvalidType, match="does not support search"):
        await search(store, engine, "FIND {acme} RETURNING ProductCategoryProduct")


async def test_duplicate_object(store: Store, engine: SoqlEngine) -> None:
    with pytest.raises(MalformedQuery) as info:
        await search(store, engine, "FIND {acme} RETURNING Account, account(Name)")
    assert info.value.error_code == "MALFORMED_SEARCH"


async def test_soql_errors_point_at_the_sosl(store: Store, engine: SoqlEngine) -> None:
    text = "FIND {acme} RETURNING Account(Name, Bogus__c)"
    with pytest.raises(InvalidField) as info:
        await search(store, engine, text)
    message = info.value.message
    assert message.startswith(f"\n{text}\n")
    assert "No such column 'Bogus__c' on entity 'Account'" in message
    with pytest.raises(MalformedQuery) as bad_where:
        await search(store, engine, "FIND {acme} RETURNING Account(Name WHERE Name = )")
    assert bad_where.value.error_code == "MALFORMED_SEARCH"


NASTY_TERMS = [
    "'; DROP TABLE Account; --",
    '"unbalanced',
    "acme\\",
    "NEAR(acme globex)",
    "acme NOT globex",
    "{Name}: acme",
    "Name:acme",
    "acme^2",
    "acme~",
    "%_%",
    "*",
    "**acme",
    "?cme",
    "\\*\\*",
    'ac\\"me',
    '"" ""',
    "(()",
    "acme)",
    "\x00acme",
    "ａｃｍｅ",
    "🚀🚀",
    "ʰʰ",
    "a\u0301a\u0301",
]


@pytest.mark.parametrize("term", NASTY_TERMS)
async def test_special_characters_only_raise_salesforce_errors(store: Store, engine: SoqlEngine, term: str) -> None:
    for text in (f"FIND {{{term}}}", f"FIND {{{term}}} IN NAME FIELDS RETURNING Account(Name), Contact"):
        try:
            await search(store, engine, text)
        except SalesforceError:
            pass
    assert len(await search(store, engine, "FIND {acme} RETURNING Account")) == 2  # nothing was changed


# -- keeping the index in sync --------------------------------------------------------------------


async def test_index_follows_update_and_delete(store: Store, engine: SoqlEngine) -> None:
    await store.write(lambda c: c.execute('UPDATE "Account" SET "Name" = ? WHERE "Id" = ?', ("Initech", GLOBEX)))
    assert ids(await search(store, engine, "FIND {initech} RETURNING Account")) == [GLOBEX]
    assert ids(await search(store, engine, "FIND {globex} RETURNING Account")) == []
    await store.write(lambda c: c.execute('DELETE FROM "Account" WHERE "Id" = ?', (ACME,)))
    assert ids(await search(store, engine, "FIND {anvils} RETURNING Account")) == []
    await store.write(lambda c: c.execute('UPDATE "Account" SET "IsDeleted" = 1 WHERE "Id" = ?', (CAFE,)))
    assert await search(store, engine, "FIND {zurich} RETURNING Account") == []
    # the FTS index agrees with the table after all that
    check = 'INSERT INTO "_sosl_Account"("_sosl_Account") VALUES (\'integrity-check\')'
    await store.write(lambda c: c.execute(check))


async def test_update_of_an_unindexed_field_keeps_the_row_findable(store: Store, engine: SoqlEngine) -> None:
    await store.write(lambda c: c.execute('UPDATE "Account" SET "NumberOfEmployees" = 1 WHERE "Id" = ?', (ACME,)))
    assert ACME in ids(await search(store, engine, "FIND {acme} RETURNING Account"))


async def test_rebuild_gives_the_same_answers(store: Store, engine: SoqlEngine) -> None:
    before = await search(store, engine, "FIND {acme OR jo?n OR rocket*}")

    def wipe_and_rebuild(conn: Any) -> None:
        for index in object_indexes(SCHEMA).values():
            conn.execute(f'INSERT INTO "{index.fts_table}"("{index.fts_table}") VALUES (\'delete-all\')')
        left = conn.execute('SELECT count(*) FROM "_sosl_Account" WHERE "_sosl_Account" MATCH \'acme\'').fetchone()
        assert left == (0,)
        rebuild_search_index(conn, SCHEMA)

    await store.write(wipe_and_rebuild)
    assert await search(store, engine, "FIND {acme OR jo?n OR rocket*}") == before


def test_index_layout() -> None:
    indexes = object_indexes(SCHEMA)
    assert "ProductCategoryProduct" not in indexes
    contact = indexes["Contact"]
    assert contact.columns_for(SearchGroup.NAME) == ("Name",)
    assert set(contact.columns_for(SearchGroup.EMAIL)) == {"Email"}
    assert indexes["Knowledge__kav"].default_search is False
    assert indexes["Product2"].default_search is False
    assert indexes["Account"].default_search is True


# -- property ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, SoqlEngine]]:
    store = Store.create(tmp_path_factory.mktemp("sosl") / "org.db", SCHEMA)
    _fill(store)
    yield store, SoqlEngine(store)
    store.close()


_PIECES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["acme", "jo?n", "an*ls", "rock*", " AND ", " OR ", " AND NOT ", '"', "(", ")", "\\", "*", "?"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join), st.sampled_from(["ALL", "NAME", "EMAIL", "PHONE"]))
async def test_random_terms_only_raise_salesforce_errors(
    shared: tuple[Store, SoqlEngine], term: str, group: str
) -> None:
    store, engine = shared
    text = f"FIND {{{term}}} IN {group} FIELDS RETURNING Account(Name), Contact(Email WHERE Email != null), Case"
    try:
        result = await execute_sosl(store, engine, text)
    except SalesforceError:
        return
    assert isinstance(result["searchRecords"], list)
