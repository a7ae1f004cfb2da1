"""The bureau gateway: how a filing reaches the provincial bureau (管局) and how its answers come back.

The default, SimulatedBureau, is this app's own stand-in: on submission it texts the 6-digit SMS
code to each website's mobile on the MIIT record (R-S-2, R-S-5), and a reviewer records the bureau's
decision by hand. A provider with a real link to the ministry's system names its own class in
BEIAN_BUREAU_GATEWAY ("module:Class") with the same method.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Protocol

from flask import current_app

from models import Filing


class BureauGateway(Protocol):
    def submit(self, filing: Filing, now: datetime) -> None:
        """Hand the filing to the bureau (called in the transaction that enters sms_pending)."""


class SimulatedBureau:
    """The built-in bureau: sends the SMS codes through the outbox."""

    def submit(self, filing: Filing, now: datetime) -> None:
        from domain import sms

        sms.start_round(filing, now)


def gateway() -> BureauGateway:
    """The configured gateway (BEIAN_BUREAU_GATEWAY, default domain.bureau:SimulatedBureau)."""
    module_name, _, class_name = current_app.config["BUREAU_GATEWAY"].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()
