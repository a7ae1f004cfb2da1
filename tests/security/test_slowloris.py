"""Slow clients (slowloris), against gunicorn started exactly as `make serve` starts it
(its command line from `make -n serve`, gunicorn.conf.py: sync workers). Alone, its 2 workers are
held by 10 clients that send their headers a byte at a time (an expected failure, kept strict so
that a change of worker class shows here). With nginx and deploy/nginx-limits.conf in front, 40 such
clients are held by nginx and never passed on: a normal request answers at once, and a body over
BEIAN_MAX_CONTENT_LENGTH is refused by nginx itself."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.helpers.live_server import ROOT, LiveServer, free_port
from tests.helpers.postgres import postgres_url

pytestmark = pytest.mark.slow

WORKERS = 2
ANSWER_WITHIN = (
    10  # seconds: generous; a stalled server does not answer before the slow clients stop
)


class MakeServe(LiveServer):
    """gunicorn with the command line of `make serve` (only workers and port chosen here)."""

    def command(self) -> list[str]:
        printed = subprocess.run(
            ["make", "-n", "-s", "serve", f"WORKERS={self.workers}", f"PORT={self.port}"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        line = printed.replace("\\\n", " ").splitlines()[-1]
        words = shlex.split(line)
        assert words[0].endswith("/gunicorn") and "--config" in words, line
        return [str(ROOT / words[0]), *words[1:]]


@contextmanager
def slow_clients(port: int, count: int) -> Iterator[list[socket.socket]]:
    """`count` clients that send a request head a byte every half second and never finish it."""
    stop = threading.Event()
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]

    def trickle(sock: socket.socket) -> None:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: beian.example.cn\r\nX-Slow: ")
            while not stop.wait(0.5):
                sock.sendall(b"a")
        except OSError:  # closed by the server
            pass

    threads = [threading.Thread(target=trickle, args=(s,), daemon=True) for s in sockets]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # every slow client connected and sending
    try:
        yield sockets
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        for thread in threads:
            thread.join(timeout=5)


def answers(url: str) -> float:
    """Seconds a normal GET /healthz took to answer 200 (fails past ANSWER_WITHIN)."""
    started = time.monotonic()
    response = requests.get(url + "/healthz", timeout=ANSWER_WITHIN)
    assert response.status_code == 200
    return time.monotonic() - started


@pytest.fixture
def served(postgres_schema, tmp_path) -> Iterator[MakeServe]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed: the test starts gunicorn as `make serve` does")
    server = MakeServe(postgres_url(postgres_schema), tmp_path / "uploads", workers=WORKERS)
    server.start()
    yield server
    server.stop()


@pytest.mark.xfail(
    raises=requests.Timeout, strict=True,
    reason="sync workers alone are held by slow clients: nginx in front is required",
)  # fmt: skip
def test_make_serve_alone_answers_while_ten_slow_clients_hold_their_sockets(served):
    with slow_clients(served.port, 10):
        took = answers(served.url)
    print(f"\nslowloris: make serve ({WORKERS} sync workers), 10 slow clients: "
          f"a normal request answered in {took:.2f} s")  # fmt: skip


NGINX_CONF = """
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {limits};
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass {upstream}; }}
    }}
}}
"""


@pytest.fixture
def nginx(served, tmp_path) -> Iterator[str]:
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if binary is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    folder, port = tmp_path / "nginx", free_port()
    folder.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        folder=folder, port=port, upstream=served.url, limits=ROOT / "deploy" / "nginx-limits.conf",
    ))  # fmt: skip
    with open(folder / "stderr", "wb") as stderr:
        process = subprocess.Popen(
            [binary, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            requests.get(url + "/healthz", timeout=2)
            break
        except requests.ConnectionError:
            assert process.poll() is None, (folder / "stderr").read_text()[-2000:]
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_nginx_in_front_holds_slow_clients_away_from_gunicorn(served, nginx):
    port = int(nginx.rsplit(":", 1)[1])
    with slow_clients(port, 40):
        took = answers(nginx)
        refused = requests.post(nginx + "/auth/login", data=b"x" * (7 * 1024 * 1024), timeout=30)
        assert refused.status_code == 413 and "nginx" in refused.text  # never reached gunicorn
    print(f"\nslowloris: nginx (deploy/nginx-limits.conf) in front of {WORKERS} sync workers, "
          f"40 slow clients: a normal request answered in {took:.2f} s; a 7 MB body 413 from nginx")  # fmt: skip
