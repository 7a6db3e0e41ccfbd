"""The names the resolver ships with: short forms of first names and countries' other names."""

from __future__ import annotations

import pytest

from claimflow.config import PROJECT_ROOT
from claimflow.identity.names import Names, packaged_names, parse_names
from claimflow.nlp.aliases import ALIASES_FILE, load_aliases


def test_a_short_form_is_its_formal_names_and_a_formal_name_itself():
    names = packaged_names()
    assert names.formals("Joe") == {"joseph"}
    assert names.formals("TED") == {"edward", "theodore"}
    assert names.formals("Joseph") == {"joseph"}
    assert names.formals("Hillary") == {"hillary"}  # not in the table: itself


def test_a_countrys_other_name_compares_as_its_name():
    names = packaged_names()
    assert names.place("America") == names.place("United States") == "unitedstates"
    assert names.place("Latin America") == "latinamerica"


def test_the_packaged_places_leave_in_article_renames_to_the_aliases_file():
    """One owner per form: a form the aliases file renames within an article is not listed again here."""
    aliases = load_aliases(PROJECT_ROOT / "include" / ALIASES_FILE)
    others = {form for form, name in packaged_names().places.items() if form != name}
    assert others and others & set(aliases.canonical) == set()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param([], "expected a JSON object", id="not an object"),
        pytest.param({"first_names": {"Joseph": "Joe"}}, "first_names must map names to lists", id="forms not a list"),
        pytest.param({"places": {"Ireland": [""]}}, "places must map names to lists", id="blank form"),
        pytest.param({"places": {"Ireland": ["Eire"], "Irish Free State": ["Eire"]}}, "'Eire' is another name of two places",
                     id="one form, two places"),
    ],
)
def test_a_malformed_names_file_says_what_is_wrong(data, error):
    with pytest.raises(ValueError, match=error):
        parse_names(data, "names.json")


def test_no_names_join_nothing_but_themselves():
    assert Names().formals("Joe") == {"joe"} and Names().place("America") == "america"
