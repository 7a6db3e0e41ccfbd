"""Run ``stages.publish`` in this process and SIGKILL it at one commit boundary, as a crashed
worker dies: no ``finally``, no lease released. Run by the tests as a child process:

    python tests/killed_publish.py DAY RUN_ID STAGED_URI BOUNDARY

(the lake and sources from ``CLAIMFLOW_*``). Boundaries, counted from 0: before the commit of
each table of ``layout.DELTA_TABLES`` (0 = before the first, 1 = after the articles table...),
then before the manifest (``len(DELTA_TABLES)``, after every table) and after it (one more).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "plugins")]

from claimflow import layout, stages  # noqa: E402
from claimflow.config import Settings  # noqa: E402
from claimflow.storage.delta import DeltaLake  # noqa: E402

BOUNDARIES = len(layout.DELTA_TABLES) + 2  # before each table, before and after the manifest


def main(day: str, run_id: str, staged_uri: str, boundary: int) -> None:
    passed = 0

    def boundary_reached() -> None:
        nonlocal passed
        if passed == boundary:
            os.kill(os.getpid(), signal.SIGKILL)
        passed += 1

    replace_day, write_manifest = DeltaLake.replace_day, stages.write_manifest

    def killing_replace_day(self, *args, **kwargs):
        boundary_reached()
        return replace_day(self, *args, **kwargs)

    def killing_write_manifest(*args, **kwargs):
        boundary_reached()
        key = write_manifest(*args, **kwargs)
        boundary_reached()
        return key

    DeltaLake.replace_day = killing_replace_day
    stages.write_manifest = killing_write_manifest
    stages.publish(Settings.from_env(), day, run_id, staged_uri)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
