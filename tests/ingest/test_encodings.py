import codecs
import json

import pytest

from claimflow.ingest.encodings import LABELS, SINGLE_BYTE_CODECS, TABLE, web_codec, web_encoding


def test_the_table_is_the_standards_forty_encodings_each_with_a_python_codec():
    groups = json.loads(TABLE.read_text(encoding="utf-8"))
    encodings = [e for group in groups for e in group["encodings"]]
    labels = [label for e in encodings for label in e["labels"]]
    assert len(encodings) == 40 and len(labels) == 227
    assert len(set(labels)) == len(labels), "a label names two encodings"
    assert all(label == label.strip().lower() for label in labels)
    for encoding in encodings:
        if encoding["codec"] is not None:  # None: the replacement encoding, which claimflow ignores
            assert codecs.lookup(encoding["codec"]).name == encoding["codec"], encoding["name"]
    assert [e["name"] for e in encodings if e["codec"] is None] == ["replacement"]
    assert {"cp1252", "cp866", "koi8-r", "mac-roman", "iso8859-8"} <= SINGLE_BYTE_CODECS and "cp932" not in SINGLE_BYTE_CODECS


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        pytest.param("utf-8", "utf-8", id="utf-8"),
        pytest.param(" UTF8\t", "utf-8", id="case and whitespace"),
        pytest.param("unicode-1-1-utf-8", "utf-8", id="unicode-1-1-utf-8"),
        pytest.param("iso-8859-1", "cp1252", id="iso-8859-1 is windows-1252"),
        pytest.param("latin1", "cp1252", id="latin1 is windows-1252"),
        pytest.param("ascii", "cp1252", id="ascii is windows-1252"),
        pytest.param("US-ASCII", "cp1252", id="US-ASCII is windows-1252"),
        pytest.param("x-user-defined", "cp1252", id="x-user-defined read as windows-1252"),
        pytest.param("iso-8859-9", "cp1254", id="iso-8859-9 is windows-1254"),
        pytest.param("tis-620", "cp874", id="tis-620 is windows-874"),
        pytest.param("iso-8859-8-i", "iso8859-8", id="iso-8859-8-i"),
        pytest.param("koi8-ru", "koi8-u", id="koi8-ru"),
        pytest.param("x-mac-ukrainian", "mac-cyrillic", id="x-mac-ukrainian"),
        pytest.param("Shift_JIS", "cp932", id="Shift_JIS is windows-31j"),
        pytest.param("gb2312", "gb18030", id="gb2312 is GBK, decoded as GB18030"),
        pytest.param("big5", "big5hkscs", id="big5 is Big5-HKSCS"),
        pytest.param("ks_c_5601-1987", "cp949", id="ks_c_5601-1987 is windows-949"),
        pytest.param("utf-16", "utf-16-le", id="utf-16 is UTF-16LE"),
        pytest.param("unicodefffe", "utf-16-be", id="unicodefffe is UTF-16BE"),
        pytest.param("iso-2022-kr", None, id="replacement: ignored"),
        pytest.param("hz-gb-2312", None, id="replacement hz-gb-2312: ignored"),
        pytest.param("cp037", None, id="EBCDIC: no web label"),
        pytest.param("idna", None, id="idna: no web label"),
        pytest.param("undefined", None, id="undefined: no web label"),
        pytest.param("utf-7", None, id="utf-7: no web label"),
        pytest.param("utf-32", None, id="utf-32: no web label"),
        pytest.param("latin-1", None, id="latin-1 with a hyphen: no web label"),
        pytest.param("base64", None, id="a bytes codec"),
        pytest.param("", None, id="empty"),
    ],
)
def test_a_label_means_what_it_means_to_a_browser(label, codec):
    assert web_encoding(label) == codec


@pytest.mark.parametrize(
    ("detected", "codec"),
    [
        pytest.param("utf_8", "utf-8", id="utf_8"),
        pytest.param("latin_1", "cp1252", id="latin_1 is windows-1252"),
        pytest.param("euc_kr", "cp949", id="euc_kr"),
        pytest.param("mac_roman", "mac-roman", id="mac_roman"),
        pytest.param("cp037", None, id="EBCDIC"),
        pytest.param("cp850", None, id="a DOS code page"),
        pytest.param("iso2022_kr", None, id="a replacement encoding"),
        pytest.param("no-such-codec", None, id="unknown"),
    ],
)
def test_a_detected_codec_is_the_web_encoding_it_stands_for(detected, codec):
    assert web_codec(detected) == codec


def test_every_label_maps_to_a_web_codec():
    assert all(web_codec(codec) == codec for codec in set(LABELS.values()))
