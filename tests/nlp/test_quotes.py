"""Quotation regions answer from running totals and bisection what copying the text answered."""

import pytest

from claimflow.nlp.quotes import GAP, QuoteRegions

TEXT = 'He said: “We will not go back,” and left.\n“It is over.”  ,\n\nShe said "no" twice; "never" once.\n“Open'


def test_quoted_characters_are_those_inside_the_regions() -> None:
    quotes = QuoteRegions(TEXT)
    inside = [any(s <= i < e for s, e in quotes.regions) for i in range(len(TEXT))]
    for start in range(len(TEXT)):
        for end in range(start, len(TEXT) + 1):
            assert quotes.quoted(start, end) == sum(inside[start:end]), (start, end)


@pytest.mark.parametrize("start", range(0, len(TEXT), 3))
def test_gaps_spaces_and_paragraph_ends_are_what_the_text_says(start: int) -> None:
    quotes = QuoteRegions(TEXT)
    for end in range(start, len(TEXT) + 1):
        assert quotes.only_gap(start, end) == (not TEXT[start:end].strip(GAP))
        assert quotes.only_space(start, end) == (not TEXT[start:end].strip())
    newline = TEXT.find("\n", start)
    assert quotes.paragraph_end(start) == (newline if newline >= 0 else len(TEXT))
