"""The bureau gateway: how a filing reaches the provincial bureau (管局) and how its answers come back.

The default, SimulatedBureau, is this app's own stand-in: on submission it texts the 6-digit SMS
code to each website's mobile on the MIIT record (R-S-2, R-S-5), and a reviewer records the bureau's
decision by hand. A provider with a real link to the ministry's system names its own class in
BEIAN_BUREAU_GATEWAY ("module:Class") with the same method, and records the bureau's answers with
domain.review.reviewing.advance() as the system (which also updates the registry on approval).
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Protocol

from domain.filing import sms
from domain.policy import Policy
from models import Filing


class BureauGateway(Protocol):
    def submit(self, filing: Filing, now: datetime, policy: Policy) -> None:
        """Hand the filing to the bureau (called in the transaction that enters sms_pending)."""


class SimulatedBureau:
    """The built-in bureau: sends the SMS codes through the outbox."""

    def submit(self, filing: Filing, now: datetime, policy: Policy) -> None:
        """Start the SMS verification round at once, as the bureau would."""
        sms.start_round(filing, now, policy)


def gateway(policy: Policy) -> BureauGateway:
    """The configured gateway (BEIAN_BUREAU_GATEWAY, default domain.filing.bureau:SimulatedBureau)."""
    module_name, _, class_name = policy.bureau_gateway.partition(":")
    gateway_class: type[BureauGateway] = getattr(importlib.import_module(module_name), class_name)
    return gateway_class()
