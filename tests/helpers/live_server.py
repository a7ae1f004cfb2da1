"""A real gunicorn server on the test database, for what only several processes can show (send
caps across workers, SIGKILL in the middle of a write). Used by tests/security and bench/."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """gunicorn `app:create_app()` with N workers in its own process group."""

    def __init__(
        self, database_url: str, upload_folder: Path, workers: int = 4, preload: bool = False,
        port: int = 0, **settings,
    ):  # fmt: skip
        self.database_url, self.workers, self.preload = database_url, workers, preload
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BEIAN_SECRET_KEY": "test-secret-key",
            "BEIAN_UPLOAD_FOLDER": str(upload_folder),
            "BEIAN_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BEIAN_SETTINGS_REFRESH_SECONDS": "0",
            "BEIAN_PUBLIC_URL": self.url,
            # as the test app (tests/helpers/app.py): mobile codes only where a test is about them
            "BEIAN_VERIFY_MOBILES": "false",
            **{f"BEIAN_{key}": str(value) for key, value in settings.items()},
        }
        self.process: subprocess.Popen | None = None
        self._killed: set[int] = set()
        self.log = upload_folder.parent / f"gunicorn-{self.port}.log"

    def command(self) -> list[str]:
        """The gunicorn command line (gunicorn.conf.py is read from ROOT by itself)."""
        return [
            sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "app:create_app()",
        ] + (["--preload"] if self.preload else [])  # fmt: skip

    def start(self, timeout: float = 30) -> LiveServer:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=log,
                start_new_session=True,
            )  # fmt: skip
        try:
            self.wait_ready(timeout)
        except RuntimeError:
            self.kill()
            raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}") from None
        return self

    def worker_pids(self) -> list[int]:
        """The master's worker processes now."""
        return children(self.process.pid)

    def kill_workers(self) -> int:
        """SIGKILL every worker in the middle of whatever it does; the master forks new ones
        (wait_for_new_workers)."""
        pids = self.worker_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._killed = set(pids)
        return len(pids)

    def wait_for_new_workers(self, timeout: float = 30) -> None:
        """Until the master has forked all its workers anew after kill_workers(), none of the
        killed ones left (a killed worker stays the master's child until it is reaped). Read from
        /proc: a request such as wait_ready()'s would queue behind the load a test puts on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = set(self.worker_pids())
            if len(pids) >= self.workers and not pids & self._killed:
                return
            time.sleep(0.01)
        raise RuntimeError(f"the master did not fork {self.workers} new workers")

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or a worker still booting
                time.sleep(0.05)
        raise RuntimeError("the server did not answer")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers), as a crash or an OOM kill would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def session(self, email: str, password: str) -> requests.Session:
        """A logged-in browser-like session (cookies and the CSRF token of the login form)."""
        session = requests.Session()
        response = session.post(
            self.url + "/auth/login",
            data={"email": email, "password": password, "csrf_token": self.csrf(session, "/auth/login")},
            allow_redirects=False, timeout=30,
        )  # fmt: skip
        assert response.status_code == 302, response.text[:300]
        return session

    def csrf(self, session: requests.Session, path: str) -> str:
        """The CSRF token of the form on `path` (the session's token: the same for every form)."""
        page = session.get(self.url + path, timeout=30).text
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` now (a gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{pid}$", status, re.M):
                found.append(int(entry.name))
    return found
