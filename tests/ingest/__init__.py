"""Tests of claimflow.ingest; a package, so that a test module here may share its name with one
elsewhere (``test_records.py`` tests ``ingest/records.py`` here, ``storage/records.py`` at the top)."""
