import pytest

from claimflow.ingest.flatten import flattened

HIDDEN = frozenset({"script", "template"})


@pytest.mark.parametrize(
    ("html", "max_depth", "expected"),
    [
        pytest.param("<!DOCTYPE html><html><body><p class=x>A &amp; B &#233;</p><!-- c --><br></body></html>", 5,
                     "<!DOCTYPE html><html><body><p class=x>A &amp; B &#233;</p><!-- c --><br></body></html>",
                     id="a shallow page is copied"),
        pytest.param("<div>intro<b><i><u>deep</u></i></b>after</div>", 2, "<div>intro<b>deep</b>after</div>",
                     id="tags opened deeper are left out, their text kept"),
        pytest.param("<p>intro" + "<b>" * 10 + "rest", 1, "<p>introrest", id="unclosed tags are left to the parser"),
        pytest.param("<div><b><i>a</div>b", 2, "<div><b>a</b></div>b", id="an end tag closes what is open inside it"),
        pytest.param("<div>a</span>b</div>", 1, "<div>ab</div>", id="an end tag of nothing open is ignored"),
        pytest.param("<div><b><script>x()</script><template>t</template>text</b></div>", 1, "<div>text</div>",
                     id="text of hidden elements left out is dropped"),
        pytest.param("<div><script>x()</script></div>", 2, "<div><script>x()</script></div>", id="hidden elements kept stay"),
        pytest.param("<div><div><br><img src=a>x</div></div>", 1, "<div>x</div>", id="void elements are never open"),
        pytest.param("<b>" * 5 + "text", 0, "text", id="no markup at all"),
    ],
)
def test_flattened_keeps_the_text_and_at_most_max_depth_open_elements(html, max_depth, expected):
    assert flattened(html, max_depth, hidden=HIDDEN) == expected
