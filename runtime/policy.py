"""The policy each request and CLI command runs under: the configuration with the settings stored
from the admin console laid over it.

One reader with a short cache per process (SETTINGS_REFRESH_SECONDS), kept on the app object. The
cache is filled only from committed rows, and the settings page drops it after its commit
(`forget()`), so a failed save changes nothing anywhere.
"""

from __future__ import annotations

import time

from flask import current_app

from domain.operator import settings
from domain.policy import Policy

CACHE_KEY = "beian_policy"


def current_policy() -> Policy:
    """The policy now: cached for SETTINGS_REFRESH_SECONDS, then read again from the database."""
    app = current_app
    cached: tuple[float, Policy] | None = app.extensions.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[0] < app.config["SETTINGS_REFRESH_SECONDS"]:
        return cached[1]
    stored = settings.stored()
    if stored is None:  # the database did not answer: keep what this process knew, uncached
        return cached[1] if cached is not None else Policy.from_config(app.config)
    policy = Policy.from_config({**app.config, **stored})
    app.extensions[CACHE_KEY] = (now, policy)
    return policy


def forget() -> None:
    """Drop this process's cached policy (after a committed change of the stored settings)."""
    current_app.extensions.pop(CACHE_KEY, None)
