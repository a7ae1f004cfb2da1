"""The anonymous JSON API (pre-check, filing type) is rate-limited per client with Flask-Limiter:
429 as JSON with Retry-After, counted per address, in the database by default and in Redis when
BEIAN_RATELIMIT_STORAGE_URI names one (either way the count holds across workers)."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import redis
from sqlalchemy import select

from adapters import rate_limit_store
from blueprints.errors import too_many_requests
from extensions import db
from models import RateLimitWindow
from tests.helpers.app import make_test_app

FILING_TYPE = {"cert_type": "uscc", "cert_number": "913301069755TH2H1L", "domain": "qinghe.cn"}
REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def app_config() -> dict:
    return {"API_FILING_TYPE_LIMIT": "3 per minute", "API_PRECHECK_LIMIT": "2 per minute"}


def ask(client, address: str, path: str = "/api/v1/filing-type", body: dict | None = None):
    return client.post(
        path, json=FILING_TYPE if body is None else body, environ_base={"REMOTE_ADDR": address}
    )


def test_the_filing_type_api_answers_429_json_per_client(client):
    statuses = [ask(client, "203.0.113.5").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = ask(client, "203.0.113.5")
    assert refused.status_code == 429 and refused.is_json
    assert refused.get_json() == {"error": "请求过于频繁，请稍后再试"}
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert ask(client, "198.51.100.9").status_code == 200  # another client is not held


def test_the_precheck_api_is_limited_too_whatever_the_answer(client):
    for _ in range(2):
        assert ask(client, "203.0.113.6", "/api/v1/precheck", {"x": 1}).status_code == 400
    refused = ask(client, "203.0.113.6", "/api/v1/precheck", {"x": 1})
    assert refused.status_code == 429 and "error" in refused.get_json()
    assert ask(client, "203.0.113.6").status_code == 200  # the other endpoint counts apart


def test_a_form_page_over_a_limit_gets_a_chinese_page(app):
    with app.test_request_context("/auth/login"):
        response = too_many_requests(30)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert "请求过于频繁" in page and "<html" in page


def _redis_problem() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            if connection.recv(16).startswith(b"+PONG"):
                return None
            return "Redis at 127.0.0.1:6379 did not answer PING"
    except OSError as exc:
        return f"Redis not reachable at 127.0.0.1:6379: {type(exc).__name__}"


def test_with_redis_the_count_is_shared_by_every_worker(app, database_url, tmp_path):
    problem = _redis_problem()
    if problem:
        pytest.skip(problem)
    settings = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_SWALLOW_ERRORS": False,  # a Redis failure must fail this test, not pass it
        "API_FILING_TYPE_LIMIT": "3 per minute",
    }
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # a count of its own
    statuses = []
    for _ in range(2):  # two workers in turn, each with its own limiter storage object
        worker = make_test_app(database_url, tmp_path, **settings)
        with worker.app_context():
            (limiter,) = worker.extensions["limiter"]
            assert type(limiter.storage).__name__ == "RedisStorage"
            client = worker.test_client()
            statuses += [ask(client, address).status_code for _ in range(2)]
            db.session.remove()
            db.engine.dispose()
    assert statuses == [200, 200, 200, 429]
    assert redis.Redis.from_url(REDIS_URL).keys(f"*{address}*")  # counted in Redis, not in memory


def test_a_store_that_does_not_answer_falls_back_to_memory_not_to_500(database_url, tmp_path):
    worker = make_test_app(
        database_url, tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",
        API_FILING_TYPE_LIMIT="2 per minute",
    )  # fmt: skip
    with worker.app_context():
        client = worker.test_client()
        statuses = [ask(client, "203.0.113.9").status_code for _ in range(3)]
        db.session.remove()
        db.engine.dispose()
    assert statuses == [200, 200, 429]


def test_limits_switched_off_answer_every_request(tmp_path):
    """RATELIMIT_ENABLED=false: the views the limiter decorated still answer (they held it weakly
    and every request was a ReferenceError once nothing else kept it)."""
    import gc

    from flask_migrate import upgrade

    app = make_test_app(f"sqlite:///{tmp_path / 'off.sqlite3'}", tmp_path, RATELIMIT_ENABLED=False)
    with app.app_context():
        upgrade()
    gc.collect()
    client = app.test_client()
    for _ in range(20):
        assert ask(client, "203.0.113.9").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_by_default_the_count_is_kept_in_the_database_and_shared_by_every_worker(
    app, database_url, tmp_path
):
    settings = {"RATELIMIT_SWALLOW_ERRORS": False, "API_FILING_TYPE_LIMIT": "3 per minute"}
    statuses = []
    for _ in range(3):  # three workers in turn, each with its own limiter and store object
        worker = make_test_app(database_url, tmp_path, **settings)
        with worker.app_context():
            (limiter,) = worker.extensions["limiter"]
            assert type(limiter.storage).__name__ == "DatabaseStorage"
            client = worker.test_client()
            statuses += [ask(client, "203.0.113.77").status_code for _ in range(2)]
            db.session.remove()
            db.engine.dispose()
    assert statuses == [200, 200, 200, 429, 429, 429]
    windows = db.session.scalars(select(RateLimitWindow)).all()
    assert windows and all("203.0.113.77" not in window.key for window in windows)  # hashed
    assert rate_limit_store.forget_ended(db.engine, now=time.time() + 61) == len(windows)
