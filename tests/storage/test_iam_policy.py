"""The documented IAM policy grants what ``S3Store`` uses on the lake prefix, and nothing more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

POLICY = Path(__file__).resolve().parents[2] / "include" / "iam" / "claimflow-bucket-policy.json"
BUCKET_ARN = "arn:aws:s3:::claimflow"
LAKE_PREFIX = "lake/"
# What S3Store calls: List (list, exists), Get (get, stat, copy source), Put (put, multipart
# create/part/complete, copy target), Delete, and the clean-up of a failed multipart upload.
S3_ACTIONS = {
    "s3:ListBucket",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
}
KMS_ACTIONS = {"kms:GenerateDataKey", "kms:Decrypt"}  # only needed with CLAIMFLOW_S3_SSE=aws:kms


@pytest.fixture(scope="module")
def statements() -> list[dict]:
    policy = json.loads(POLICY.read_text())
    assert policy["Version"] == "2012-10-17"
    return policy["Statement"]


def _actions(statement: dict) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_policy_names_only_the_actions_claimflow_uses(statements: list[dict]) -> None:
    granted = set().union(*(_actions(s) for s in statements))
    assert granted == S3_ACTIONS | KMS_ACTIONS
    assert all(s["Effect"] == "Allow" and "*" not in "".join(_actions(s)) for s in statements)
    assert not any("NotAction" in s or "NotResource" in s for s in statements)


def test_object_actions_are_confined_to_the_lake_prefix(statements: list[dict]) -> None:
    for statement in statements:
        actions = _actions(statement)
        if actions & (S3_ACTIONS - {"s3:ListBucket"}):
            assert statement["Resource"] == f"{BUCKET_ARN}/{LAKE_PREFIX}*"


def test_listing_is_confined_to_the_lake_prefix(statements: list[dict]) -> None:
    (listing,) = [s for s in statements if "s3:ListBucket" in _actions(s)]
    assert _actions(listing) == {"s3:ListBucket"}
    assert listing["Resource"] == BUCKET_ARN
    assert listing["Condition"]["StringLike"]["s3:prefix"] == [f"{LAKE_PREFIX}*"]


def test_kms_use_is_only_through_s3(statements: list[dict]) -> None:
    (kms,) = [s for s in statements if _actions(s) & KMS_ACTIONS]
    assert kms["Resource"].startswith("arn:aws:kms:")
    assert kms["Condition"]["StringEquals"]["kms:ViaService"].startswith("s3.")
