"""Configuration layers: code defaults, then BEIAN_* environment, then the mapping given."""

from __future__ import annotations

from app import create_app
from config import load_secret_key, normalise_database_url


def test_defaults_then_environment_then_mapping(monkeypatch, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    base = {"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "k"}
    assert create_app(base).config["PROVIDER_NAME"] == "示例云"
    monkeypatch.setenv("BEIAN_PROVIDER_NAME", "青禾云")
    monkeypatch.setenv("BEIAN_LOGIN_MAX_FAILURES", "7")
    app = create_app(base)
    assert app.config["PROVIDER_NAME"] == "青禾云"
    assert app.config["LOGIN_MAX_FAILURES"] == 7  # parsed as JSON, an int
    assert create_app({**base, "PROVIDER_NAME": "测试"}).config["PROVIDER_NAME"] == "测试"


def test_database_url_from_environment_selects_postgresql_with_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://beian@db.internal:5432/beian")
    app = create_app({"SECRET_KEY": "k"})
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://beian@db.internal:5432/beian"
    )


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BEIAN_DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/beian.sqlite3"
    assert app.config["UPLOAD_FOLDER"] == f"{app.instance_path}/uploads"


def test_normalise_database_url():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_secret_key_is_generated_once_and_private(tmp_path):
    key = load_secret_key(tmp_path / "instance")
    assert len(key) == 64
    assert load_secret_key(tmp_path / "instance") == key
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secret_key_comes_from_the_environment_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv("BEIAN_SECRET_KEY", "from-env")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SECRET_KEY"] == "from-env"
