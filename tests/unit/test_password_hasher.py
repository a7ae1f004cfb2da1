"""The password hasher, a plain value the runtime builds once from the settings: the configured
method for account passwords (scrypt by default), a key derived from SECRET_KEY for the registry's
filing passwords; the runtime's registry checks filing passwords with it. No app needed."""

from __future__ import annotations

import pytest

from config import Config
from domain.rulebook.registry import LocalRegistry
from domain.support.passwords import FILING_HASH_PREFIX, PasswordHasher
from runtime import registry_for

CHEAP = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SECRET_KEY": "one-key"}


def test_account_passwords_are_hashed_with_the_configured_method():
    hasher = PasswordHasher.from_config(CHEAP)
    stored = hasher.hash_password("Qinghe-2026")
    assert stored.startswith("pbkdf2:sha256:1000$") and "Qinghe-2026" not in stored
    assert hasher.check_password(stored, "Qinghe-2026")
    assert not hasher.check_password(stored, "qinghe-2026")
    assert hasher.dummy_hash.startswith("pbkdf2:sha256:1000$")  # a no-account check costs the same
    assert hasher.dummy_hash is hasher.dummy_hash  # made once per hasher
    default = PasswordHasher.from_config({"PASSWORD_HASH_METHOD": Config.PASSWORD_HASH_METHOD,
                                          "SECRET_KEY": "x"})  # fmt: skip
    assert default.method == "scrypt"


def test_filing_passwords_are_keyed_by_the_secret_key():
    hasher = PasswordHasher.from_config(CHEAP)
    stored = hasher.hash_filing_password("Qinghe2021")
    assert stored.startswith(FILING_HASH_PREFIX) and "Qinghe2021" not in stored
    assert hasher.check_filing_password_hash(stored, "Qinghe2021")
    same_key = PasswordHasher.from_config({**CHEAP, "PASSWORD_HASH_METHOD": "scrypt"})
    assert same_key.check_filing_password_hash(stored, "Qinghe2021")  # the key alone decides
    other_key = PasswordHasher.from_config({**CHEAP, "SECRET_KEY": "another-key"})
    assert not other_key.check_filing_password_hash(stored, "Qinghe2021")
    assert "one-key" not in repr(hasher) and repr(hasher.filing_key) not in repr(hasher)


def test_the_runtimes_local_registry_holds_the_hasher_and_a_bare_one_checks_nothing():
    hasher = PasswordHasher.from_config(CHEAP)
    registry = registry_for({"REGISTRY": "local"}, hasher)
    assert isinstance(registry, LocalRegistry) and registry.hasher is hasher
    with pytest.raises(RuntimeError):
        LocalRegistry().verify_filing_password(object(), "Qinghe2021")  # type: ignore[arg-type]
