"""Read PolNeAR-style brat standoff: one text file per article, attributions as T and E records.

A folder holds ``SPLIT/text/NAME.txt`` and ``SPLIT/attributions/NAME_ANNOTATOR.ann``; where an
article has several annotators the first file in alphabetical order is the gold, so scores are
reproducible across machines, and the second one measures how well two annotators agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from claimflow.models import Span
from claimflow.nlp.scoring import Attribution


@dataclass(frozen=True)
class Article:
    """An annotated article: its name, exact text and gold attributions."""

    name: str
    text: str
    attributions: tuple[Attribution, ...]


def read_text(path: Path) -> str:
    """The file's text exactly as stored (no newline translation), so offsets stay valid."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def parse_ann(ann: str, text: str) -> tuple[Attribution, ...]:
    """The attributions of one ``.ann`` file: E records joined to their Source/Cue/Content spans.

    Args:
        ann: the content of the ``.ann`` file.
        text: the article text the offsets point into.

    Returns:
        The attributions that have a content span, in file order.
    """
    spans: dict[str, tuple[Span, ...]] = {}
    events: list[dict[str, list[str]]] = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        rid = fields[0]
        if rid.startswith("T"):
            kind_offsets = fields[1].split(" ", 1)
            if len(kind_offsets) != 2:
                continue
            pieces = []
            for part in kind_offsets[1].split(";"):
                start, end = (int(x) for x in part.split())
                pieces.append(Span.of(text, start, end))
            spans[rid] = tuple(pieces)
        elif rid.startswith("E"):
            roles: dict[str, list[str]] = {}
            for arg in fields[1].split():
                role, _, ref = arg.partition(":")
                role = role.rstrip("0123456789")  # Content2 joins Content
                roles.setdefault(role, []).append(ref)
            events.append(roles)
    out = []
    for roles in events:
        def gather(role: str, roles: dict[str, list[str]] = roles) -> tuple[Span, ...]:
            return tuple(s for ref in roles.get(role, []) for s in spans.get(ref, ()))

        content = gather("Content")
        if content:
            out.append(Attribution(gather("Source"), gather("Cue"), content))
    return tuple(out)


def split_folder(root: str | Path, split: str) -> Path:
    """The split's folder, checked to hold a ``text`` folder."""
    base = Path(root) / split
    if not (base / "text").is_dir():
        raise FileNotFoundError(f"expected a folder {base / 'text'} of NAME.txt files")
    return base


def annotation_files(base: Path) -> dict[str, list[Path]]:
    """Each article's ``.ann`` files keyed by article name, in annotator (alphabetical) order."""
    anns: dict[str, list[Path]] = {}
    for ann in sorted((base / "attributions").glob("*.ann")):
        anns.setdefault(ann.stem.rsplit("_", 1)[0], []).append(ann)
    return anns


def read_split(root: str | Path, split: str, limit: int | None = None) -> Iterator[Article]:
    """The annotated articles of one split, sorted by name, first annotator's file each.

    Args:
        root: the corpus folder holding one folder per split.
        split: the split's folder name, e.g. ``"dev"``.
        limit: stop after this many articles.

    Returns:
        An iterator of articles; articles without an annotation file are skipped.
    """
    base = split_folder(root, split)
    anns = annotation_files(base)
    count = 0
    for path in sorted((base / "text").glob("*.txt")):
        if limit is not None and count >= limit:
            return
        if path.stem not in anns:
            continue
        text = read_text(path)
        yield Article(path.stem, text, parse_ann(read_text(anns[path.stem][0]), text))
        count += 1


def read_pairs(root: str | Path, split: str) -> Iterator[tuple[Article, Article]]:
    """The articles of a split annotated twice: the first and the second annotator's reading.

    Scoring the second against the first measures how far two people agree, the ceiling any
    extractor scored against one annotator is held to.
    """
    base = split_folder(root, split)
    for name, anns in sorted(annotation_files(base).items()):
        path = base / "text" / f"{name}.txt"
        if len(anns) < 2 or not path.is_file():
            continue
        text = read_text(path)
        first, second = (Article(name, text, parse_ann(read_text(ann), text)) for ann in anns[:2])
        yield first, second
