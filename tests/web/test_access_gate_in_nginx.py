"""The shipped nginx examples of the access gate (deploy/nginx-gate-*.conf), run by Debian's nginx
in front of a local site, with the app (gunicorn) on the test database: a filed host passes, an
unfiled host gets the block page with 403, a subdomain of a filed domain passes, a new-access
order's host passes once initial review passed, a cancelled access stops passing at once (with
the map: at the next export and reload)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from domain.duties import gate
from domain.lifecycle.states import Action, FilingState, Role
from domain.rulebook.registry import LocalRegistry
from extensions import db
from models import User
from tests.helpers import transitions
from tests.helpers.gate import PROVIDER, registry_site, registry_website_of
from tests.helpers.live_server import ROOT, LiveServer, free_port
from tests.helpers.nginx import Nginx, local_site, nginx_binary

pytestmark = pytest.mark.slow

APP, SITE, LISTEN, MAP = "127.0.0.1:5000", "127.0.0.1:8080", "listen 80 default_server", "/etc/nginx/beian-gate.map"  # fmt: skip


@pytest.fixture
def served(app, tmp_path) -> Iterator[LiveServer]:
    """The app in gunicorn on the test's database; it reads the gate's version on every check."""
    server = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "uploads", workers=1,
                        GATE_REFRESH_SECONDS=0, PROVIDER_NAME="测试云")  # fmt: skip
    server.start()
    yield server
    server.stop()


def shipped(name: str, **replace: str) -> str:
    """A shipped example with the test's addresses put in (each must be found in it)."""
    text = (ROOT / "deploy" / name).read_text()
    for old, new in replace.items():
        assert old in text, f"{old} not in deploy/{name}"
        text = text.replace(old, new)
    return text


def visit(nginx: Nginx, host: str) -> requests.Response:
    return requests.get(nginx.url + "/index.html", headers={"Host": host}, timeout=10)


def passes(nginx: Nginx, host: str) -> bool:
    response = visit(nginx, host)
    if response.status_code == 200:
        assert response.text == f"customer site {host.lower().rstrip('.')}"
        return True
    assert response.status_code == 403 and "网站暂时无法访问" in response.text, response.text[:300]
    return False


def eventually(check, seconds: float = 10) -> bool:
    """Whether `check()` became true within `seconds` (an nginx reload takes a moment)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def write_map(app, path) -> None:
    result = app.test_cli_runner().invoke(args=["gate", "export", "--output", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("way", ["auth_request", "map"])
def test_the_gate_in_front_of_customer_sites(way, app, make_filing, served, tmp_path):
    nginx_binary()
    registry_site(1, ["filed.cn"])
    registry_site(2, ["leaving.cn"])
    order = make_filing(FilingState.submitted)  # a new-access order for qinghe.cn
    reviewer = db.session.scalar(db.select(User).where(User.role == Role.reviewer))
    map_file = tmp_path / "beian-gate.map"
    write_map(app, map_file)
    app_address = served.url.removeprefix("http://")
    port = free_port()
    with local_site() as site_port:
        if way == "auth_request":
            conf = shipped("nginx-gate-auth-request.conf", **{
                APP: app_address, SITE: f"127.0.0.1:{site_port}", LISTEN: f"listen 127.0.0.1:{port} default_server",
            })  # fmt: skip
        else:
            conf = shipped("nginx-gate-map.conf", **{
                APP: app_address, SITE: f"127.0.0.1:{site_port}", LISTEN: f"listen 127.0.0.1:{port} default_server",
                MAP: str(map_file),
            })  # fmt: skip
        nginx = Nginx(tmp_path / "nginx", conf, port).start()
        try:

            def after_change() -> None:
                if way == "map":
                    write_map(app, map_file)
                    nginx.reload()

            assert passes(nginx, "filed.cn") and passes(nginx, "www.filed.cn")
            assert passes(nginx, "a.b.FILED.cn") and passes(nginx, "www.filed.cn.")
            blocked = visit(nginx, "unfiled.cn")
            assert (
                blocked.status_code == 403
                and "unfiled.cn" in blocked.text
                and "测试云" in blocked.text
            )
            english = requests.get(
                nginx.url, headers={"Host": "unfiled.cn", "Accept-Language": "en"}, timeout=10
            )
            assert english.status_code == 403 and "cannot be reached" in english.text
            assert not passes(nginx, "qinghe.cn")  # submitted: initial review not passed yet

            transitions.apply(order, Action.initial_approve, reviewer)
            db.session.commit()
            after_change()
            assert eventually(lambda: passes(nginx, "www.qinghe.cn"))

            assert passes(nginx, "leaving.cn")
            LocalRegistry().cancel_access(
                registry_website_of("leaving.cn"), PROVIDER
            )  # 取消接入 approved
            db.session.commit()
            if way == "auth_request":
                assert not passes(nginx, "leaving.cn")  # at once: the very next request
            else:
                after_change()
                assert eventually(lambda: not passes(nginx, "leaving.cn"))
            assert passes(nginx, "filed.cn")
        finally:
            nginx.stop()
    if way == "auth_request":  # the refusals reached the admin's list
        db.session.rollback()
        assert "unfiled.cn" in [row.domain for row in gate.refused_domains(PROVIDER)[0]]
