"""Storage tests run against a real S3 server: the session's SeaweedFS (see ``tests/seaweed.py``)."""

from seaweed import s3_lake, seaweedfs  # noqa: F401  (fixtures, re-exported for pytest)
