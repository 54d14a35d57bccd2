"""SOSL parsing: the search term, IN groups, RETURNING specs, WITH clauses, limits and errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crmsim.sandbox.sosl as sosl
from crmsim.errors import InvalidSearch, MalformedQuery, SalesforceError
from crmsim.sandbox.sosl import (
    And,
    Not,
    Or,
    SearchGroup,
    Term,
    Wildcard,
    parse_search_term,
    parse_sosl,
)


def test_all_matches_exported_names() -> None:
    public = {name for name in dir(sosl) if not name.startswith("_")}
    modules = {"index"}
    assert set(sosl.__all__) == public - modules


def word(text: str) -> Term:
    return Term((text,))


# -- search term ---------------------------------------------------------------------------------


def test_single_word() -> None:
    assert parse_sosl("FIND {acme}").search == word("acme")


def test_words_without_operator_are_anded() -> None:
    assert parse_search_term("acme corp") == And((word("acme"), word("corp")))


def test_phrase() -> None:
    assert parse_search_term('"acme corp"') == Term(("acme corp",), phrase=True)


def test_or() -> None:
    assert parse_search_term("acme OR globex") == Or((word("acme"), word("globex")))


def test_and_binds_tighter_than_or() -> None:
    assert parse_search_term("a1 AND b2 OR c3") == Or((And((word("a1"), word("b2"))), word("c3")))


def test_and_not() -> None:
    assert parse_search_term("acme AND NOT anvil") == And((word("acme"), Not(word("anvil"))))


def test_parentheses_group() -> None:
    expected = And((word("acme"), Or((word("anvil"), word("rocket")))))
    assert parse_search_term("acme AND (anvil OR rocket)") == expected


def test_operators_are_case_insensitive() -> None:
    assert parse_search_term("acme and not anvil or globex") == Or(
        (And((word("acme"), Not(word("anvil")))), word("globex"))
    )


def test_long_chains_stay_flat() -> None:
    words = [f"w{i}x" for i in range(3000)]
    expr = parse_search_term(" ".join(words))
    assert isinstance(expr, And) and len(expr.items) == 3000


def test_words_that_look_like_operators() -> None:
    assert parse_search_term("andrew oregon") == And((word("andrew"), word("oregon")))
    assert parse_search_term("do not call") == And((word("do"), word("not"), word("call")))


def test_trailing_and_middle_wildcards() -> None:
    assert parse_search_term("acm*") == Term(("acm", Wildcard.ANY))
    assert parse_search_term("jo?n") == Term(("jo", Wildcard.ONE, "n"))
    assert parse_search_term('"acme co*"') == Term(("acme co", Wildcard.ANY), phrase=True)


def test_escaped_reserved_characters_are_literal() -> None:
    reserved = r"? & | ! { } [ ] ( ) ^ ~ * : \ \" ' + -".split()
    for ch in reserved:
        ch = ch.replace("\\", "")
        assert parse_search_term(f"ab\\{ch}cd") == word(f"ab{ch}cd"), ch
    assert parse_search_term(r"Marie\-Pier") == word("Marie-Pier")


def test_escaped_closing_brace_stays_in_the_term() -> None:
    query = parse_sosl(r"FIND {a\}b} RETURNING Account")
    assert query.search == word("a}b")
    assert [spec.name for spec in query.returning] == ["Account"]


def test_quoted_form() -> None:
    query = parse_sosl(r"find 'O\'Brien' returning Contact(Name)")
    assert query.search == word("O'Brien")
    assert query.returning[0].fields == ("Name",)


def test_apostrophe_allowed_in_braces() -> None:
    assert parse_search_term("O'Brien") == word("O'Brien")


@pytest.mark.parametrize("char", list("&|!^~:+-[]{"))
def test_unescaped_reserved_character_is_malformed(char: str) -> None:
    text = f"FIND {{ab{char}cd}}"
    with pytest.raises(MalformedQuery) as info:
        parse_sosl(text)
    assert info.value.error_code == "MALFORMED_SEARCH"
    assert f"mismatched character '{char}' expecting '}}'" in info.value.message
    assert "line 1:8" in info.value.message


@pytest.mark.parametrize("term", ["a", "a*", "*", "a?", " b ", "a OR b", '"a"', "x AND NOT y"])
def test_one_character_term_is_invalid_search(term: str) -> None:
    with pytest.raises(InvalidSearch) as info:
        parse_sosl(f"FIND {{{term}}}")
    assert info.value.error_code == "INVALID_SEARCH"
    assert info.value.message == f"search term must be longer than one character: {term.strip()}"


def test_empty_term_is_invalid_search() -> None:
    with pytest.raises(InvalidSearch, match="longer than one character"):
        parse_sosl("FIND {  }")


def test_one_long_word_is_enough() -> None:
    assert parse_search_term("a OR bc") == Or((word("a"), word("bc")))


@pytest.mark.parametrize("term", ["AND", "acme AND", "OR acme", "acme OR AND globex", "(acme", "acme)", '"acme'])
def test_dangling_operators_and_brackets_are_malformed(term: str) -> None:
    with pytest.raises(MalformedQuery) as info:
        parse_sosl(f"FIND {{{term}}}")
    assert info.value.error_code == "MALFORMED_SEARCH"
    assert "ERROR at Row:1:Column:" in info.value.message


def test_operator_words_can_be_searched_in_quotes() -> None:
    assert parse_search_term('"and" \\or') == And((Term(("and",), phrase=True), word("or")))


def test_very_long_terms_lose_their_operators() -> None:
    words = " AND ".join(f"w{i:04d}" for i in range(900))
    expr = parse_sosl(f"FIND {{{words}}}").search
    assert isinstance(expr, Or) and len(expr.items) == 900


# -- statement ---------------------------------------------------------------------------------


def test_keywords_are_case_insensitive() -> None:
    query = parse_sosl("find {acme} in Name Fields returning account(id) limit 5")
    assert query.group is SearchGroup.NAME
    assert query.returning[0].name == "account"
    assert query.limit == 5


@pytest.mark.parametrize("group", ["ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR"])
def test_in_groups(group: str) -> None:
    assert parse_sosl(f"FIND {{acme}} IN {group} FIELDS").group is SearchGroup(group)


def test_default_group_is_all_and_no_returning() -> None:
    query = parse_sosl("FIND {acme}")
    assert query.group is SearchGroup.ALL
    assert query.returning == ()
    assert query.limit is None


def test_unknown_group_is_malformed_search_token() -> None:
    with pytest.raises(MalformedQuery) as info:
        parse_sosl("FIND {acme} IN TYPE FIELDS")
    assert info.value.message.endswith("Malformed search token: TYPE")
    assert "ERROR at Row:1:Column:16" in info.value.message


def test_returning_keeps_source_text_of_each_part() -> None:
    text = (
        "FIND {acme} RETURNING Account(Id, Name, toLabel(Industry), Owner.Name "
        "WHERE (Industry = 'Energy' OR Name LIKE 'Ac%') AND NumberOfEmployees > 10 "
        "ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 2), Contact, Lead(Email)"
    )
    account, contact, lead = parse_sosl(text).returning
    assert account.fields == ("Id", "Name", "toLabel(Industry)", "Owner.Name")
    assert account.where == "(Industry = 'Energy' OR Name LIKE 'Ac%') AND NumberOfEmployees > 10"
    assert account.order_by == "Name DESC NULLS LAST"
    assert (account.limit, account.offset) == (5, 2)
    assert account.pos == text.index("Account")
    assert contact.fields == () and contact.where is None
    assert lead.fields == ("Email",)


def test_where_with_keywords_inside_strings_and_parentheses() -> None:
    text = "FIND {acme} RETURNING Case(Subject WHERE Subject = 'ORDER BY LIMIT (x)' AND (Status != 'New'))"
    assert parse_sosl(text).returning[0].where == "Subject = 'ORDER BY LIMIT (x)' AND (Status != 'New')"


def test_object_named_like_a_keyword() -> None:
    query = parse_sosl("FIND {acme} RETURNING Order(OrderNumber ORDER BY OrderNumber)")
    assert query.returning[0].name == "Order"
    assert query.returning[0].order_by == "OrderNumber"


def test_with_clauses_are_accepted() -> None:
    text = (
        "FIND {acme} RETURNING Account(Name) WITH DIVISION = 'Global' WITH SNIPPET (target_length=120) "
        "WITH NETWORK IN ('0DBxx0000000001', '0DBxx0000000002') WITH NETWORK = '0DBxx0000000003' "
        "WITH PRICEBOOKID = '01sxx0000000001' WITH HIGHLIGHT WITH SPELL_CORRECTION = false "
        "WITH METADATA = 'LABELS' WITH DATA CATEGORY Geo__c AT (usa__c, uk__c) AND Product__c BELOW all__c "
        "WITH USER_MODE LIMIT 20 UPDATE TRACKING, VIEWSTAT"
    )
    query = parse_sosl(text)
    kinds = [w.kind for w in query.with_clauses]
    assert kinds == [
        "DIVISION",
        "SNIPPET",
        "NETWORK",
        "NETWORK",
        "PRICEBOOKID",
        "HIGHLIGHT",
        "SPELL_CORRECTION",
        "METADATA",
        "DATA_CATEGORY",
        "USER_MODE",
    ]
    assert query.with_value("METADATA") == "LABELS"
    assert query.with_value("SPELL_CORRECTION") == "false"
    assert query.limit == 20


def test_overall_limit_is_capped_at_2000() -> None:
    assert parse_sosl("FIND {acme} LIMIT 5000").limit == 2000


@pytest.mark.parametrize(
    "text",
    [
        "FIND {acme} RETURNING",
        "FIND {acme} RETURNING Account(",
        "FIND {acme} RETURNING Account()",
        "FIND {acme} RETURNING Account(Id WHERE)",
        "FIND {acme} LIMIT x",
        "FIND {acme} WITH SPELL_CORRECTION = maybe",
        "FIND {acme} WITH NOTHING",
        "FIND {acme} UPDATE SOMETHING",
        "FIND {acme} RETURNING Account(Id USING ListView = Recent)",
        "SELECT Id FROM Account",
        "FIND {acme} RETURNING Account; DROP TABLE Account",
    ],
)
def test_syntax_errors_are_malformed_search(text: str) -> None:
    with pytest.raises(MalformedQuery) as info:
        parse_sosl(text)
    assert info.value.error_code == "MALFORMED_SEARCH"
    assert info.value.status == 400
    assert info.value.to_body()[0]["errorCode"] == "MALFORMED_SEARCH"


def test_term_without_braces() -> None:
    with pytest.raises(MalformedQuery) as info:
        parse_sosl("FIND acme")
    assert info.value.message == "No search term found. The search term must be enclosed in braces."


def test_unterminated_braces() -> None:
    with pytest.raises(MalformedQuery, match=r"mismatched character '<EOF>' expecting '\}'"):
        parse_sosl("FIND {acme")


def test_deep_nesting_is_refused_cleanly() -> None:
    with pytest.raises(MalformedQuery):
        parse_sosl("FIND {" + "(" * 500 + "acme" + ")" * 500 + "}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_fails_as_salesforce_would(text: str) -> None:
    for candidate in (text, f"FIND {{{text}}}", f"FIND {{acme}} RETURNING {text}"):
        try:
            parse_sosl(candidate)
        except SalesforceError:
            pass


_TERM_ALPHABET = st.sampled_from(
    list("abcé Z09*?\"'()\\{}&|!-+:~^[] ") + [" AND ", " OR ", " AND NOT ", "ß", "İ", "\u0301"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TERM_ALPHABET, max_size=30).map("".join))
def test_search_terms_parse_or_fail_cleanly(term: str) -> None:
    try:
        parse_sosl(f"FIND {{{term}}} RETURNING Account(Id)")
    except SalesforceError:
        pass
