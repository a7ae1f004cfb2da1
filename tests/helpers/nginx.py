"""Debian's nginx in the tests: started with a configuration of the test's making in a folder of
its own, reloaded, stopped; and a tiny local site to put behind it."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.helpers.live_server import free_port

HTTP_WRAPPER = """
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {included};
}}
"""


def nginx_binary() -> str:
    """Debian's nginx, or the test is skipped (installed by .ci/run)."""
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if binary is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    return binary


class Nginx:
    """nginx in the foreground with `included` inside its http {} block."""

    def __init__(self, folder: Path, included: str, port: int) -> None:
        self.folder, self.port = folder, port
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "site.conf").write_text(included)
        self.conf = folder / "nginx.conf"
        self.conf.write_text(HTTP_WRAPPER.format(folder=folder, included=folder / "site.conf"))
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        binary = nginx_binary()
        test = subprocess.run([binary, "-t", "-p", str(self.folder), "-c", str(self.conf)],
                              capture_output=True, text=True)  # fmt: skip
        assert test.returncode == 0, test.stderr
        with open(self.folder / "stderr", "wb") as stderr:
            self.process = subprocess.Popen(
                [binary, "-p", str(self.folder), "-c", str(self.conf), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(self.url, timeout=2)
                return self
            except requests.ConnectionError:
                assert self.process.poll() is None, (self.folder / "stderr").read_text()[-2000:]
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)

    def reload(self) -> None:
        """Re-read the configuration (and the files it includes), as `nginx -s reload` does."""
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def local_site() -> Iterator[int]:
    """A site on a free port that answers 200 "customer site <host>" to every GET."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            body = f"customer site {self.headers.get('Host', '')}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()
