"""The README's analyst snippet runs as written, from a folder that is not the checkout, against
a lake, and answers with the numbers the rows written make."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from delta_rows import article_row, claim_row, entity_row, write_rows

from claimflow.config import Settings
from claimflow.models import stable_id
from claimflow.storage.delta import table_uri

ROOT = Path(__file__).resolve().parents[1]
IN_WEEK, ALSO_IN_WEEK, AFTER = "2026-11-20", "2026-11-26", "2026-11-27"
# day -> (article, source kind, speaker entity (name, label) or None) per claim
SAID = {
    IN_WEEK: [(0, "person", ("Ann Lee", "PERSON")), (0, "anonymous", None), (1, "organisation", ("City Council", "ORG"))],
    ALSO_IN_WEEK: [(0, "person", ("Ann Lee", "PERSON")), (0, "person", ("Bo Park", "PERSON"))],
    AFTER: [(0, "person", ("Bo Park", "PERSON")), (0, "person", ("Bo Park", "PERSON"))],  # outside the week
}


def readme_snippet() -> str:
    """The python block of the README's "Questions analysts ask" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Questions analysts ask", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return code


def build_lake(root: Path) -> Path:
    settings = Settings(lake=str(root / "lake"))
    for day, said in SAID.items():
        speakers = {who for _, _, who in said if who}
        rows = {
            "articles": [article_row(day, "r", a) for a in sorted({a for a, _, _ in said})],
            "entities": [entity_row(day, "r", 0, name, label) for name, label in sorted(speakers)],
            "claims": [claim_row(day, "r", a, i, source_kind=kind, speaker=who and who[0],
                                 source_entity_id=who and stable_id(who[1], who[0]))
                       for i, (a, kind, who) in enumerate(said)],
        }
        for table, table_rows in rows.items():
            write_rows(table_uri(settings, table), table, table_rows, day=day)
    return Path(settings.lake)


def test_the_readme_analyst_snippet_runs_as_written_from_another_folder(tmp_path):
    lake = build_lake(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "CLAIMFLOW_LAKE": str(lake), "PYTHONPATH": str(ROOT / "plugins")}
    env.pop("CLAIMFLOW_INCLUDE", None)
    done = subprocess.run([sys.executable, "-c", readme_snippet()], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    people, organisations, anonymous, said = (ast.literal_eval(line) for line in done.stdout.splitlines())
    assert people == [("Ann Lee", 2, 2, 2, 2), ("Bo Park", 1, 1, 1, 1)]  # Bo's claims after the week left out
    assert organisations == [("City Council", 1, 1, 1, 1)]
    assert anonymous == [(IN_WEEK, 0.333, 3), (ALSO_IN_WEEK, 0.0, 2)]
    assert [(day, speaker) for day, speaker, *_ in said] == [(ALSO_IN_WEEK, "Ann Lee"), (IN_WEEK, "Ann Lee")]

