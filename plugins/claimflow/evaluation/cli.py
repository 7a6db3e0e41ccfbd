"""``claimflow evaluate`` and ``claimflow train``: score or retrain the claim component on brat data.

``claimflow evaluate --entities`` scores the entity layers against the hand-annotated gold sets instead
(mentions, entities and identity across articles);
``--source-kinds`` scores the kind given to hand-labelled PolNeAR source spans;
``--news-gold`` scores claims and their source kinds on hand-annotated modern news web pages.

The main ``claimflow`` CLI calls ``add_parsers(subparsers)``; each handler takes the argparse
namespace and returns an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from claimflow.evaluation.brat import Article, read_pairs, read_split
from claimflow.evaluation.metrics import Counts
from claimflow.evaluation.news import DEFAULT_PAGES, read_news_gold, score_news
from claimflow.evaluation.source_kinds import (
    DEFAULT_GOLD_DIR,
    KindClassifier,
    evaluate_source_kinds,
    print_report,
    read_gold,
)
from claimflow.nlp.scoring import as_attribution

CORPUS_HELP = "corpus folder holding SPLIT/text and SPLIT/attributions"


def load_pipeline(model: str | None = None):
    """The spaCy pipeline with the claim component: the one place that builds it for evaluation,
    from the environment's settings (this is an entry point)."""
    from claimflow.config import Settings
    from claimflow.nlp.pipeline import load_nlp

    settings = Settings.from_env()
    return load_nlp(model or settings.spacy_model, settings.include_dir)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` and ``train`` subcommands to the main CLI."""
    evaluate = subparsers.add_parser(
        "evaluate",
        help="score claim extraction against a PolNeAR-format (brat) corpus, or entities against their gold set",
        description="Print claim-level and per-role scores on one split of a PolNeAR-format folder, "
        "or with --entities the entity and mention scores of raw spaCy NER and the canonical entities "
        "on each gold set, and whether one id covers each entity found in two or more articles.",
    )
    corpus = evaluate.add_mutually_exclusive_group(required=True)
    corpus.add_argument("--polnear", type=Path, help=CORPUS_HELP)
    corpus.add_argument("--entities", action="store_true", help="score entities against the gold set of --gold")
    corpus.add_argument(
        "--news-gold",
        type=Path,
        help="score claims on hand-annotated news web pages: the gold JSON (e.g. tests/fixtures/claims_gold_news.json)",
    )
    evaluate.add_argument(
        "--pages",
        type=Path,
        default=DEFAULT_PAGES,
        help="with --news-gold, the web-page folder the gold points into (default: ../shared/data/webpages)",
    )
    evaluate.add_argument("--split", default="dev", help="split folder name (default: dev)")
    evaluate.add_argument("--limit", type=int, default=None, help="score only the first N articles")
    evaluate.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    evaluate.add_argument(
        "--agreement",
        action="store_true",
        help="on the articles annotated twice, score the second annotator and claimflow against the first",
    )
    evaluate.add_argument(
        "--source-kinds",
        action="store_true",
        help="score the kind given to each hand-labelled source span (person, anonymous, document...)",
    )
    evaluate.add_argument(
        "--gold",
        type=Path,
        default=None,
        help="gold set: with --entities the entity JSON (default: tests/fixtures/entities_gold.json, and "
        "tests/fixtures/entities_gold_polnear.json when ../shared/data/polnear is present; the held-out "
        "tests/fixtures/entities_gold_polnear_heldout.json only when named here), "
        "with --source-kinds the source-span JSONL (default: tests/fixtures/source_kinds/SPLIT.jsonl)",
    )
    evaluate.add_argument("--model", default=None, help="spaCy model (default: CLAIMFLOW_SPACY_MODEL)")
    evaluate.set_defaults(func=run_evaluate)

    train = subparsers.add_parser(
        "train",
        help="rebuild the cue lexicon and scorer weights from a PolNeAR-format corpus",
        description="Mine cues.jsonl and fit scorer.json on one split, written to --out.",
    )
    train.add_argument("--polnear", required=True, type=Path, help=CORPUS_HELP)
    train.add_argument("--split", default="train", help="split folder name (default: train)")
    train.add_argument("--out", type=Path, default=None, help="output folder (default: the package's lexicons, which initialize() reads)")
    train.add_argument("--limit", type=int, default=None, help="train on the first N articles only")
    train.add_argument("--l2", type=float, default=3.0, help="L2 penalty of the scorer (default: 3.0)")
    train.add_argument(
        "--min-count", type=int, default=1, help="least gold cues for a lemma to enter the lexicon (default: 1)"
    )
    train.add_argument("--model", default=None, help="spaCy model (default: CLAIMFLOW_SPACY_MODEL)")
    train.set_defaults(func=run_train)


def score(nlp, articles: list[Article]) -> Counts:
    """The pipeline's claims on the articles, counted against their gold attributions."""
    counts = Counts()
    for doc, article in nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=32):
        counts.add(article.text, article.attributions, [as_attribution(c) for c in doc._.claims])
    return counts


def evaluate(corpus: Path, split: str, limit: int | None = None, model: str | None = None) -> dict[str, float | int]:
    """Run the pipeline over a split and return the metrics of issue 3 plus timing.

    Args:
        corpus: the PolNeAR-format folder.
        split: the split to score.
        limit: score only the first N articles.
        model: the spaCy model name.

    Returns:
        The metrics keyed by name.
    """
    nlp = load_pipeline(model)
    articles = list(read_split(corpus, split, limit))
    started = time.perf_counter()
    report = score(nlp, articles).report()
    report["articles"] = len(articles)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def agreement(corpus: Path, split: str, model: str | None = None) -> dict[str, dict[str, float | int]]:
    """The same metrics for a second annotator and for claimflow, both against the first annotator.

    Only articles with two annotation files count, so both columns share their gold: the
    second annotator's scores are the human ceiling for the component's.

    Returns:
        ``{"second_annotator": metrics, "claimflow": metrics}``, each with ``articles``.
    """
    pairs = list(read_pairs(corpus, split))
    human = Counts()
    for first, second in pairs:
        human.add(first.text, first.attributions, second.attributions)
    system = score(load_pipeline(model), [first for first, _ in pairs])
    columns = {"second_annotator": human.report(), "claimflow": system.report()}
    for column in columns.values():
        column["articles"] = len(pairs)
    return columns


def print_table(columns: dict[str, dict[str, float | int]]) -> None:
    """Metrics one per line, one column per report."""
    names = list(next(iter(columns.values())))
    width = max(len(k) for k in names)
    print(f"{'':<{width}}  " + "  ".join(f"{c:>16}" for c in columns))
    for key in names:
        print(f"{key:<{width}}  " + "  ".join(f"{columns[c][key]:>16}" for c in columns))


def run_source_kinds(args: argparse.Namespace, classify: KindClassifier | None = None) -> int:
    """Handler of ``claimflow evaluate --source-kinds``; ``classify`` replaces the component's resolution."""
    gold_path = args.gold or DEFAULT_GOLD_DIR / f"{args.split}.jsonl"

    def report() -> dict:
        gold = read_gold(gold_path)
        return evaluate_source_kinds(load_pipeline(args.model), args.polnear, args.split, gold, classify)

    return print_scores(args, report, print_report)


def print_scores(args: argparse.Namespace, compute: Callable[[], dict], show: Callable[[dict], None]) -> int:
    """Print what ``compute`` measures, as JSON with ``--json`` or by ``show``; a missing or
    malformed input exits 2 with the reason."""
    try:
        scores = compute()
    except (FileNotFoundError, ValueError) as exc:
        print(f"claimflow evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(scores))
    else:
        show(scores)
    return 0


ENTITY_COLUMNS = {
    "entity_precision": "ent P",
    "entity_recall": "ent R",
    "entity_f1": "ent F1",
    "mention_precision": "men P",
    "mention_recall": "men R",
    "mention_f1": "men F1",
    "linked_mention_accuracy": "linked",
    "articles": "articles",
    "seconds": "seconds",
}


def print_entity_rows(rows: dict[str, dict | float]) -> None:
    """One row per entity layer, one column per measure, then identity across articles."""
    print(f"{'':<10}" + "".join(f"{title:>9}" for title in ENTITY_COLUMNS.values()))
    layers = {name: row for name, row in rows.items() if isinstance(row, dict)}
    for name, row in layers.items():
        print(f"{name:<10}" + "".join(f"{row[key]:>9}" for key in ENTITY_COLUMNS))
    print(f"parsing {rows['parse_seconds']} s, shared by the layers")
    print_identity(layers)


def print_identity(layers: dict[str, dict]) -> None:
    """The identity-across-articles line of each layer, and the entities the canonical layer
    splits (``split:``) and those still split through the registry (``registry split:``), with
    the names (and labels) that hold them and in how many articles."""
    shared = next(iter(layers.values()))["identity_entities"]
    if not shared:
        print("identity across articles: no entity of this gold set is in two or more articles")
        return
    kept = ", ".join(f"{name} {row['identity_kept']} ({row['identity_share']}%)" for name, row in layers.items())
    print(f"identity across articles: of {shared} entities in two or more articles, one id for {kept}")
    for layer, prefix in (("canonical", "split"), ("registry", "registry split")):
        for split in layers.get(layer, {}).get("identity_split", []):
            held = Counter(
                f"{e['name']!r} {e['label']} [{e['entity_id'][:8]}]" if e else "nothing" for e in split["articles"].values()
            )
            print(f"  {prefix}: {split['ref']}: " + ", ".join(f"{holder} in {n}" for holder, n in held.most_common()))


def print_gold_sets(sets: dict[str, dict]) -> None:
    """Each gold set's rows under its name."""
    for i, (name, rows) in enumerate(sets.items()):
        print(("\n" if i else "") + f"gold set: {name}")
        print_entity_rows(rows)


def run_entities(args: argparse.Namespace) -> int:
    """Handler of ``claimflow evaluate --entities``: the gold set of ``--gold``, or the team's gold
    sets present here (the seeds' always, PolNeAR's when ../shared/data/polnear is there)."""
    from claimflow.config import Settings
    from claimflow.evaluation.entities import evaluate_gold_sets, present_gold_sets
    from claimflow.identity.files import load_identities, load_kb

    def report() -> dict:
        gold_sets = {args.gold.stem: args.gold} if args.gold else present_gold_sets()
        settings = Settings.from_env()
        return evaluate_gold_sets(load_pipeline(args.model), gold_sets, args.limit,
                                  identities=load_identities(settings.include_dir), kb=load_kb(settings.entity_kb))

    return print_scores(args, report, print_gold_sets)


def run_news(args: argparse.Namespace) -> int:
    """Handler of ``claimflow evaluate --news-gold``: every article whose text drifted from the
    gold's words is named on stderr and left out of the scores."""
    if args.agreement:
        print("claimflow evaluate: --agreement needs --polnear", file=sys.stderr)
        return 2

    def report() -> dict:
        articles, warnings = read_news_gold(args.news_gold, args.pages)
        for warning in warnings:
            print(f"claimflow evaluate: {warning}", file=sys.stderr)
        if not articles:
            raise ValueError(f"{args.news_gold}: no article could be re-found in {args.pages}")
        return score_news(load_pipeline(args.model), articles[: args.limit])

    return print_scores(args, report, lambda scores: print_table({"claimflow": scores}))


def run_evaluate(args: argparse.Namespace) -> int:
    """Handler of ``claimflow evaluate``."""
    if args.entities:
        if args.agreement:
            print("claimflow evaluate: --agreement needs --polnear", file=sys.stderr)
            return 2
        return run_entities(args)
    if args.news_gold:  # it scores source kinds too
        return run_news(args)
    if args.source_kinds:
        return run_source_kinds(args)
    try:
        if args.agreement:
            columns = agreement(args.polnear, args.split, args.model)
        else:
            columns = {"claimflow": evaluate(args.polnear, args.split, args.limit, args.model)}
    except FileNotFoundError as exc:
        print(f"claimflow evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(columns if args.agreement else columns["claimflow"]))
    else:
        print_table(columns)
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Handler of ``claimflow train``: parse the split once, then mine and fit."""
    from claimflow.evaluation.train import train
    from claimflow.nlp.claims import COMPONENT
    from claimflow.nlp.lexicon import PACKAGED_DIR

    nlp = load_pipeline(args.model)
    try:
        articles = list(read_split(args.polnear, args.split, args.limit))
    except FileNotFoundError as exc:
        print(f"claimflow train: {exc}", file=sys.stderr)
        return 2
    extractor = nlp.get_pipe(COMPONENT)
    with nlp.select_pipes(disable=[COMPONENT]):
        docs = list(nlp.pipe((a.text for a in articles), batch_size=32))
    out = args.out or PACKAGED_DIR
    source = f"{args.polnear.resolve().name}/{args.split}"
    pairs = list(zip(articles, docs, strict=True))
    stats = train(pairs, extractor.lexicon, out, l2=args.l2, min_count=args.min_count, source=source)
    print(json.dumps({"out": str(out), **stats}))
    return 0
