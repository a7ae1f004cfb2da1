"""The bureau gateway: how a filing reaches the provincial bureau (管局).

The default, SimulatedBureau, is this app's own stand-in: on submission it asks the app to text the
6-digit SMS code to each website's mobile on the MIIT record (R-S-2, R-S-5), and a reviewer records
the bureau's decision by hand; on the approval of a new filing (A8) it asks the app to issue the
numbers as the bureau would. A provider with a real link to the ministry's system names its own
class in BEIAN_BUREAU_GATEWAY ("module:Class", the Bureau port of domain/ports.py), and records the
bureau's answers with domain.review.reviewing.advance() as the system (which also updates the
registry on approval).
"""

from __future__ import annotations

from datetime import datetime

from domain.policy import Policy
from domain.ports import IssuedNumbers
from models import Filing


class SimulatedBureau:
    """The built-in bureau: this app sends the SMS codes through the outbox, as the bureau would."""

    def submit(self, filing: Filing, now: datetime, policy: Policy) -> bool:
        """Nothing leaves; the app starts the SMS verification round itself (True)."""
        return True

    def issue_numbers(self, filing: Filing, now: datetime, policy: Policy) -> IssuedNumbers | None:
        """The numbers of an approved 首次备案 or 新增网站 (DOMAIN.md A8): None, the app issues them
        as the bureau would, from the database's sequence (domain.filing.numbering), as it texts
        the SMS codes for submit()."""
        return None
