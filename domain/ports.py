"""The outside world as the domain sees it: one Protocol per service, and the plain values they take
and give. The implementations live in adapters/ (beside domain/); runtime/ builds them once per
process from the settings and the web layer, the CLI and the workers pass them to the use cases.

Nothing here imports Flask, an SDK or an adapter; a port names what the domain needs, not how a
platform does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from PIL import Image

from domain.policy import Policy
from models import AuditEvent, Filing, Person, RegistrySubject, RegistryWebsite, Website

# --- messages: SMS, e-mail, webhooks --------------------------------------------------------------


class SendError(Exception):
    """A platform's answer that the message was not sent: `permanent` ones are not tried again."""

    def __init__(self, code: str, detail: str = "", *, permanent: bool) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.permanent = code, permanent


@dataclass(frozen=True)
class SmsMessage:
    """One SMS as a platform takes it: the number, our template key, its parameters by name (in
    the template's order) and the text it reads as, with any code masked (for the log). The
    signature and the platform's template code are the policy's at sending time (empty: the
    gateway's own settings)."""

    mobile: str
    template: str
    params: dict[str, str]
    masked_text: str
    sign_name: str = ""
    template_code: str = ""


@dataclass(frozen=True)
class Email:
    """One e-mail: a text and an HTML part."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Rendered:
    """A message as people read it (the e-mail's text part, or the SMS text)."""

    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class Notice:
    """What a message says, decided by the domain, before any template turns it into text:
    the template key, its variables, the channel, the reader's language (None: the default) and,
    for an e-mail, what the wrapper adds (the filing, the rejection with its reasons, the link)."""

    template: str
    channel: str
    context: dict[str, object]
    locale: str | None = None
    filing_id: int | None = None
    filing: Filing | None = None
    rejection: AuditEvent | None = None  # the rejection or return it tells of
    reasons: list[dict[str, str]] = field(default_factory=list)
    public_url: str = ""


class SmsGateway(Protocol):
    def send(self, message: SmsMessage) -> None:
        """Send one SMS.

        :raises SendError: the platform refused it (permanent or not).
        """


class EmailSender(Protocol):
    def send(self, email: Email) -> None:
        """Send one e-mail.

        :raises SendError: the server refused it (permanent or not).
        """


class WebhookSender(Protocol):
    def send(self, url: str, body: bytes, signature: str) -> None:
        """POST one event (a non-2xx answer raises; the outbox tries again later)."""


class MessageRenderer(Protocol):
    def render(self, notice: Notice) -> Rendered:
        """The notice as its reader gets it: the subject and text (and HTML for an e-mail) from the
        templates, in the notice's language."""


# --- uploaded images ------------------------------------------------------------------------------


class Storage(Protocol):
    """Where uploaded images live; keys are random hex names (materials.store_upload)."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


# --- the bureau and the MIIT records --------------------------------------------------------------


@dataclass(frozen=True)
class IssuedNumbers:
    """The numbers the bureau issues when it approves a new filing (DOMAIN.md A8): the subject's
    (a 新增网站 keeps its subject's) and one per website of the filing, in the filing's order."""

    subject_number: str
    website_numbers: tuple[str, ...]


class Bureau(Protocol):
    def submit(self, filing: Filing, now: datetime, policy: Policy) -> bool | None:
        """Hand the filing to the provincial bureau (管局), in the transaction that enters
        sms_pending. Returns True when this app must text the SMS verification codes itself (the
        simulated bureau); a real link returns None or False (the bureau texts them), and its
        answers are recorded with domain.review.reviewing.advance() as the system."""

    def issue_numbers(self, filing: Filing, now: datetime, policy: Policy) -> IssuedNumbers | None:
        """The numbers of a new filing (首次备案, 新增网站) approved now, in the transaction that
        enters approved. None when this app must issue them itself as the bureau would (the
        simulated bureau: domain.filing.numbering, never the same number twice); a real link
        records the bureau's answer with advance(..., numbers=...) and is not asked."""


class Registry(Protocol):
    """What the app asks of the MIIT records (DOMAIN.md A5)."""

    def subject_by_certificate(
        self, certificate_type: str, number: str
    ) -> RegistrySubject | None: ...

    def website_by_domain(self, domain: str) -> RegistryWebsite | None: ...

    def website_by_number(self, website_number: str) -> RegistryWebsite | None: ...

    def verify_filing_password(self, subject: RegistrySubject, password: str) -> bool: ...

    def record_access(self, website: RegistryWebsite, provider_code: str) -> None: ...

    def cancel_access(self, website: RegistryWebsite, provider_code: str) -> None: ...

    def add_subject(
        self, subject_number: str, name: str, kind: str, certificate_type: str,
        certificate_number: str, province: str,
    ) -> RegistrySubject:  # fmt: skip
        """A subject the bureau has just filed (a 首次备案 approved, A8)."""

    def add_website(
        self, subject: RegistrySubject, website_number: str, name: str, responsible_mobile: str,
        domains: list[tuple[str, date]], provider_code: str,
    ) -> RegistryWebsite:  # fmt: skip
        """A website the bureau has just filed, listing `provider_code` as its access provider;
        `domains` are (domain, registration expiry)."""

    # A7 v3: what the bureau's approval of a change or a cancellation does to the records
    def change_subject(self, subject: RegistrySubject, name: str) -> None: ...

    def change_website(
        self, website: RegistryWebsite, name: str, domains: list[str], responsible_mobile: str,
        expires_on: date,
    ) -> None: ...  # fmt: skip

    def delete_website(self, website: RegistryWebsite) -> None: ...

    def delete_subject(self, subject: RegistrySubject) -> None: ...
    def websites_with_mobile(self, mobile: str) -> list[RegistryWebsite]:
        """The websites whose responsible person's mobile on record is `mobile` (R-P-4)."""
        ...


# --- services the next changes bring (ports only; their adapters come with them) -----------------


@dataclass(frozen=True)
class DomainRegistration:
    """A domain name's registration as the domain lookup reports it (DOMAIN.md A5 v3): its holder
    (name, certificate type in the registrar's own words, certificate number), the registrar, the
    expiry date and whether the holder is real-name verified. A source that does not publish a
    value gives "" (holder, registrar), None (expiry) or None (verification: unknown)."""

    domain: str  # ASCII (punycode) form
    holder_name: str
    holder_certificate_type: str
    holder_certificate_number: str
    registrar: str
    expires: date | None
    real_name_verified: bool | None


class DomainLookup(Protocol):
    def lookup(self, domain: str) -> DomainRegistration | None:
        """The registration of `domain` (ASCII/punycode form, a registrable domain); None when the
        source has no answer for it.

        :raises ConnectionError: the source (a registrar, an RDAP server) did not answer.
        """


class Verdict(StrEnum):
    """What an identity verifier said of one session."""

    passed = "passed"
    failed = "failed"
    pending = "pending"  # the person has not finished (or the platform has not judged yet)


@dataclass(frozen=True)
class IdentitySession:
    """One identity verification begun with a verifier: its name, the platform's reference for it
    (Alibaba's CertifyId, Tencent's BizToken) and the address where the person completes it on the
    phone (the built-in photo flow: our own phone page, `return_url`)."""

    verifier: str
    reference: str
    url: str


@dataclass(frozen=True)
class IdentityResult:
    """A verifier's answer on a session; `reason` is the platform's code and words (for the
    reviewer and the audit trail, never the ID number)."""

    verdict: Verdict
    reason: str = ""


class IdentityVerifier(Protocol):
    """Identity verification of a website's responsible person (真实性核验, DOMAIN.md A10)."""

    name: str  # "photo", "aliyun", "tencent": what the review screen names as the judge

    def start(self, person: Person, website: Website, return_url: str) -> IdentitySession:
        """Begin a verification of `person` (name and ID number) for `website`; the person opens
        the session's url on the phone and comes back to `return_url`. Never logs the number.

        :raises ConnectionError: the service did not answer or refused the request.
        """

    def result(self, session: IdentitySession) -> IdentityResult:
        """What the service says of the session now: passed, failed (with its reason) or pending.

        :raises ConnectionError: the service did not answer.
        """


class FaceDetector(Protocol):
    def count_faces(self, image: Image.Image) -> int:
        """How many frontal faces the picture (decoded, upright; grey is best) shows."""


@dataclass(frozen=True)
class ServiceCode:
    """A service code (备案服务码, DOMAIN.md A10) as its source knows it: the account it was issued
    for (its e-mail), the instance's public IPs and its paid-until date, and whether it was revoked.
    Whether an order used it is this app's record (the service_codes table), whatever the source."""

    code: str
    account_ref: str
    ips: tuple[str, ...]
    valid_until: date | None  # paid until
    product: str = ""
    revoked: bool = False


class ServiceCodeSource(Protocol):
    def find(self, code: str) -> ServiceCode | None:
        """The service code (normalised: upper case, no separators) as the billing system knows
        it, or None when it is unknown. The built-in source is this app's own table
        (domain/filing/service_codes.LocalServiceCodes), filled by the API and the console.

        :raises ConnectionError: the billing system did not answer.
        """


class DnsResolver(Protocol):
    def resolve(self, name: str, record_type: str = "A") -> list[str]:
        """The records of `name` of the given type ("A", "AAAA", "CNAME", "TXT"); [] when the name
        has none (NXDOMAIN or no answer).

        :raises ConnectionError: no resolver answered (a timeout or SERVFAIL).
        """


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP answer as fetched: the address asked, the status, the body (cut at the fetcher's
    size cap) and, for a redirect, where it points (the caller decides whether to follow)."""

    url: str
    status: int
    content_type: str
    body: bytes
    location: str = ""  # a 3xx answer's Location, made absolute


class PageFetcher(Protocol):
    def fetch(self, url: str, address: str) -> FetchedPage:
        """GET `url` (http or https) from the server at IP `address`, with the URL's host name in
        the Host header (and as TLS SNI): the caller chose the address (resolved, or the
        provider's IP where the name does not resolve). One request, redirects not followed;
        bounded in time and size; an address that is not public is refused unless the fetcher
        was built to allow it.

        :raises ConnectionError: the site did not answer in time, refused the connection, or the
            address is refused.
        """


@dataclass(frozen=True)
class OcrResult:
    """The text an OCR service read from an image, line by line, with its mean confidence (0–1)."""

    lines: tuple[str, ...]
    confidence: float


class Ocr(Protocol):
    def read(self, image: bytes, kind: str) -> OcrResult:
        """Read the text of an uploaded image; `kind` says what it is ("business_licence",
        "id_front", …) so that a service with typed models can use the right one.

        :raises ConnectionError: the service (or the local program) did not answer.
        """
