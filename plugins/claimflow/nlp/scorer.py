"""A linear (logistic) scorer over candidate features: which candidates are claims.

Weights are a small JSON object (feature -> weight) trained by ``claimflow train`` on
PolNeAR train; an unknown feature weighs nothing, so the scorer degrades gracefully.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import srsly

WEIGHTS_FILE = "scorer.json"


class Scorer:
    """Logistic regression over string features."""

    def __init__(self, weights: dict[str, float], meta: dict | None = None) -> None:
        self.weights = weights
        self.meta = meta or {}  # where the weights come from, kept through to_disk

    @classmethod
    def from_file(cls, path: str | Path) -> Scorer:
        """Read weights written by ``to_file``."""
        return cls.from_dict(srsly.read_json(path))

    def to_file(self, path: str | Path) -> None:
        """Write the weights (rounded, near-zero ones dropped) and their provenance as JSON."""
        weights = {k: round(v, 4) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4}
        srsly.write_json(path, {"meta": self.meta, "weights": weights})

    @classmethod
    def from_dict(cls, data: dict) -> Scorer:
        """The scorer from ``to_dict`` or from the JSON ``to_file`` wrote."""
        return cls({k: float(v) for k, v in data["weights"].items()}, data.get("meta"))

    def to_dict(self) -> dict:
        """The weights, unrounded, and their provenance: what the component's bytes carry."""
        return {"meta": self.meta, "weights": dict(self.weights)}

    def score(self, features: Iterable[str]) -> float:
        """The probability that a candidate with these features is a gold attribution."""
        z = sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def fit(rows: list[list[str]], labels: list[int], l2: float = 1.0, max_iter: int = 300) -> Scorer:
    """Fit logistic-regression weights with L-BFGS.

    Args:
        rows: the feature strings of each training candidate.
        labels: 1 when the candidate matched a gold attribution, else 0.
        l2: the L2 penalty on the weights (the bias too, lightly).
        max_iter: the optimiser's iteration cap.

    Returns:
        The fitted scorer.
    """
    import numpy as np
    from scipy.optimize import minimize
    from scipy.sparse import csr_matrix

    index: dict[str, int] = {}
    cols, indptr = [], [0]
    for feats in rows:
        for f in set(feats):
            cols.append(index.setdefault(f, len(index)))
        indptr.append(len(cols))
    x = csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(rows), len(index)))
    y = np.asarray(labels, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        nll = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
        grad = x.T @ (p - y) + l2 * w
        return nll + 0.5 * l2 * float(w @ w), grad

    result = minimize(loss, np.zeros(len(index)), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    return Scorer({f: float(result.x[i]) for f, i in index.items()}, {"l2": l2, "candidates": len(rows)})
