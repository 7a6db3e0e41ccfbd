"""decode_text repairs what it safely can and refuses the rest with the reason; languages are told apart."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from bad_inputs import SPANISH, article, write_bad_inputs

from claimflow.exceptions import RejectedInput
from claimflow.ingest.decode import DEFAULT_MAX_BYTES, decode_text, detect_language, html_to_text, normalize_text

TEXT = article(0)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"", "empty", id="empty file"),
        pytest.param(b" \n\t\r\n  ", "blank", id="whitespace only"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="PNG renamed .txt"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3", "binary", id="PDF"),
        pytest.param(b"abc\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00def", "binary", id="NUL-dense bytes"),
        pytest.param(bytes(range(128, 256)) * 4, "invalid_encoding", id="bytes no encoding reads"),
        pytest.param(b"\xff\xfe" + b"\x00\xd8a\x00", "invalid_encoding", id="UTF-16 BOM with a lone surrogate"),
        pytest.param(b"\x01\x02\x03\x04\x05ok", "control_chars", id="mostly control characters"),
        pytest.param(
            b"<html><script>track()</script><style>p{}</style></html>", "no_text", id="HTML with only scripts"
        ),
    ],
)
def test_refused_with_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(RejectedInput, match=f"^{reason} \\(in.txt: ") as refused:
        decode_text(raw, name="in.txt")
    assert refused.value.reason == reason


def test_latin1_text_is_read_by_detection() -> None:
    text = TEXT.replace("council", "caf\u00e9 council")
    assert decode_text(text.encode("latin-1"), name="in.txt") == text


def test_50_mb_article_is_too_large() -> None:
    raw = TEXT.encode("utf-8") * (50 * 1024 * 1024 // len(TEXT) + 1)
    with pytest.raises(RejectedInput, match="too_large") as refused:
        decode_text(raw, name="huge.txt")
    assert f"limit {DEFAULT_MAX_BYTES:,}" in refused.value.detail


def test_size_limit_is_configurable() -> None:
    assert decode_text(b"short text", name="a.txt", max_bytes=10) == "short text"
    with pytest.raises(RejectedInput, match="too_large"):
        decode_text(b"short text!", name="a.txt", max_bytes=10)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-32", "utf-8-sig"], ids=lambda e: f"{e} with BOM")
def test_bom_encodings_decode_cleanly(encoding: str) -> None:
    text = TEXT + "Caf\u00e9 \u201cquoted\u201d \u2014 \U0001f600"
    raw = b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    assert decode_text(raw, name="in.txt") == text


def test_nul_and_control_characters_are_stripped() -> None:
    raw = b"The council\x00 met\x07 on Tuesday.\x0cPage two\x1b[0m.\r\n\tEnd \xc2\x85"
    assert decode_text(raw, name="in.txt") == "The council met on Tuesday.\nPage two[0m.\r\n\tEnd "


def test_html_with_scripts_becomes_its_visible_text() -> None:
    raw = (
        b"<!DOCTYPE html><html><head><title>T</title><style>p {color: red}</style>"
        b"<script>var secret = '</p>';</script></head><body><h1>Budget passes</h1>"
        b"<p>The council said &quot;yes&quot;.</p><script>ads()</script><p>Second&nbsp;paragraph.</p></body></html>"
    )
    assert decode_text(raw, name="page.txt") == 'Budget passes\n\nThe council said "yes".\n\nSecond paragraph.'


def test_html_with_an_unclosed_head_keeps_the_body() -> None:
    assert html_to_text("<html><head><title>x</title><body><p>Body text.</p></body>") == "Body text."


def test_plain_text_mentioning_tags_is_left_alone() -> None:
    text = 'He said the page used "<b>" for bold and 3 < 4.'
    assert decode_text(text.encode(), name="in.txt") == text


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        pytest.param("Cafe\u0301", "Caf\u00e9", id="NFC"),
        pytest.param("a\r\nb\rc\u2028d", "a\nb\nc\nd", id="newlines unified"),
        pytest.param("a  \t\nb \n", "a\nb", id="trailing whitespace stripped"),
        pytest.param("a\n\n\n\n\n\nb", "a\n\n\nb", id="more than two blank lines collapsed"),
        pytest.param("a\n\n\nb", "a\n\n\nb", id="two blank lines kept"),
    ],
)
def test_normalize_text(text: str, normalized: str) -> None:
    assert normalize_text(text) == normalized


@pytest.mark.parametrize(
    ("text", "language"),
    [
        pytest.param(TEXT, "en", id="English"),
        pytest.param(SPANISH, "es", id="Spanish"),
        pytest.param(
            "Le conseil municipal a adopté mardi un nouveau budget pour la réparation des routes, selon les "
            "responsables. Le maire a déclaré que le plan est important pour les habitants de la ville.",
            "fr",
            id="French",
        ),
        pytest.param(
            "Der Stadtrat hat am Dienstag einen neuen Haushalt für die Reparatur der Straßen beschlossen, sagte "
            "ein Sprecher. Die Bürgermeisterin sagte, der Plan sei für die Bewohner der Stadt sehr wichtig.",
            "de",
            id="German",
        ),
        pytest.param(
            "Il consiglio comunale ha approvato martedì un nuovo bilancio per la riparazione delle strade, "
            "secondo i funzionari. Il sindaco ha detto che il piano è molto importante per la città.",
            "it",
            id="Italian",
        ),
        pytest.param(
            "A câmara municipal aprovou na terça-feira um novo orçamento para a reparação das estradas, "
            "segundo os funcionários. O prefeito disse que o plano é muito importante para os moradores.",
            "pt",
            id="Portuguese",
        ),
        pytest.param(
            "De gemeenteraad heeft dinsdag een nieuwe begroting voor het herstel van de wegen goedgekeurd, "
            "volgens ambtenaren. De burgemeester zei dat het plan erg belangrijk is voor de inwoners.",
            "nl",
            id="Dutch",
        ),
        pytest.param("Budget approved.", None, id="too short to tell"),
        pytest.param("Городской совет во вторник утвердил новый бюджет на ремонт дорог.", None, id="other script"),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_bad_input_fixtures_decode_as_expected(tmp_path: Path) -> None:
    """The files ingest cannot parse as records go through decode as the fixture map says."""
    expected = write_bad_inputs(tmp_path, huge_bytes=DEFAULT_MAX_BYTES + 1)
    for name, outcome in expected.items():
        if not name.endswith(".txt"):
            continue
        raw = (tmp_path / name).read_bytes()
        try:
            text = decode_text(raw, name=name)
        except RejectedInput as refused:
            assert refused.reason == outcome, name
        else:
            language = detect_language(text)
            assert outcome == ("clean" if language == "en" else "language"), (name, language)


def test_bad_input_records_are_broken_as_claimed(tmp_path: Path) -> None:
    """The record-level fixtures ingest must refuse really are broken that way."""
    write_bad_inputs(tmp_path, huge_bytes=10)
    lines = (tmp_path / "broken_line.jsonl").read_text().split("\n")
    assert [json.loads(lines[i])["id"] for i in (0, 2)] == ["bad-input-5", "bad-input-7"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[1])
    assert "text" not in json.loads((tmp_path / "missing_text.json").read_text())
    assert not isinstance(json.loads((tmp_path / "wrong_types.json").read_text())["text"], str)
    a, b = (json.loads((tmp_path / f"dup_{x}.json").read_text()) for x in "ab")
    assert a["text"] == b["text"] and a["id"] != b["id"]
    with pytest.raises(EOFError), gzip.open(tmp_path / "truncated.jsonl.gz") as archive:
        archive.read()
