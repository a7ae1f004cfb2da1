"""What the app, the CLI, the demo seed and the outbox worker run on: the adapters built once per
process from the settings (one table per kind of service, below), the password hasher, the
transaction boundary and the policy reader. Nothing under blueprints/ is needed to use them.

create_app() calls install(app); code running in the app's context asks current() for the adapters
and passes them to the use cases (domain/ports.py says what each one is).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from adapters.bureau import SimulatedBureau
from adapters.console import LogEmailSender, LogSmsGateway
from adapters.dns import DnspythonResolver, OffResolver
from adapters.fetcher import HttpxPageFetcher, OffPageFetcher
from adapters.identity_photo import OpenCvFaceDetector, PhotoVerifier
from adapters.ocr_tesseract import TesseractOcr
from adapters.rdap import RdapDomainLookup
from adapters.rendering import TemplateRenderer
from adapters.smtp import SmtpEmailSender
from adapters.storage import LocalStorage, S3Storage
from adapters.webhook import HttpWebhookSender
from domain.filing.service_codes import LocalServiceCodes
from domain.policy import Policy
from domain.ports import (
    Bureau,
    DnsResolver,
    DomainLookup,
    EmailSender,
    FaceDetector,
    IdentityVerifier,
    MessageRenderer,
    Ocr,
    PageFetcher,
    Registry,
    ServiceCodeSource,
    SmsGateway,
    Storage,
    WebhookSender,
)
from domain.rulebook.domain_table import LocalDomainTable
from domain.rulebook.registry import LocalRegistry
from domain.support.passwords import PasswordHasher
from runtime.policy import current_policy, forget
from runtime.transaction import transaction

__all__ = ["Runtime", "current", "current_policy", "forget", "install", "transaction"]

EXTENSION_KEY = "beian_runtime"

# Setting value -> the class (a "module:Class" string for the SMS platforms, whose SDKs are optional
# installs: imported when the setting names them, once, at start). Any other value is read as
# "module:Class" of the provider's own implementation of the port.
SMS_GATEWAYS: dict[str, type[Any] | str] = {
    "log": LogSmsGateway,
    "aliyun": "adapters.sms_aliyun:AliyunSmsGateway",
    "tencent": "adapters.sms_tencent:TencentSmsGateway",
}
# Identity verification (真实性核验): the built-in live photo, or a platform whose SDK is imported
# only when the setting names it.
IDENTITY_VERIFIERS: dict[str, type[Any] | str] = {
    "photo": PhotoVerifier,
    "aliyun": "adapters.identity_aliyun:AliyunIdentityVerifier",
    "tencent": "adapters.identity_tencent:TencentIdentityVerifier",
}
OCRS = ("tesseract", "off")
BUREAUS: dict[str, type[Any] | str] = {"simulated": SimulatedBureau}
REGISTRIES: dict[str, type[Any] | str] = {"local": LocalRegistry}
SERVICE_CODE_SOURCES: dict[str, type[Any] | str] = {"local": LocalServiceCodes}
DOMAIN_LOOKUPS: dict[str, type[Any] | str] = {"local": LocalDomainTable, "rdap": RdapDomainLookup}
STORAGES = ("local", "s3")
PAGE_FETCHERS: dict[str, type[Any] | str] = {"httpx": HttpxPageFetcher, "off": OffPageFetcher}
DNS_RESOLVERS: dict[str, type[Any] | str] = {"dnspython": DnspythonResolver, "off": OffResolver}
# The values these settings took before the adapters had names (still accepted).
FORMER_NAMES = {
    "domain.support.notify:LogSmsGateway": "log",
    "domain.support.sms_aliyun:AliyunSmsGateway": "aliyun",
    "domain.support.sms_tencent:TencentSmsGateway": "tencent",
    "domain.filing.bureau:SimulatedBureau": "simulated",
    "domain.rulebook.registry:LocalRegistry": "local",
}


@dataclass(frozen=True)
class Runtime:
    """The adapters of one process (one app object), built once by install()."""

    storage: Storage
    sms: SmsGateway
    email: EmailSender
    webhook: WebhookSender
    bureau: Bureau
    registry: Registry
    renderer: MessageRenderer
    service_codes: ServiceCodeSource
    domain_lookup: DomainLookup
    fetcher: PageFetcher
    resolver: DnsResolver
    identity: IdentityVerifier
    faces: FaceDetector
    ocr: Ocr | None  # None: the OCR aid is off (BEIAN_OCR=off, or no Tesseract with its data)
    # Account and filing passwords: PASSWORD_HASH_METHOD, and a key derived from SECRET_KEY.
    hasher: PasswordHasher


def resolve(value: str, table: dict[str, type[Any] | str]) -> type[Any]:
    """The class a setting names: a key of `table`, or "module:Class".

    :raises ValueError: neither a known name nor "module:Class".
    :raises ImportError, AttributeError: no such module or class.
    """
    value = FORMER_NAMES.get(value, value)
    found = table.get(value, value)
    if not isinstance(found, str):
        return found
    module_name, colon, class_name = found.partition(":")
    if not colon:
        raise ValueError(f"{value!r}: expected one of {', '.join(table)} or 'module:Class'")
    cls: type[Any] = getattr(importlib.import_module(module_name), class_name)
    return cls


def storage_for(config: dict[str, Any]) -> Storage:
    """The storage BEIAN_STORAGE_BACKEND names ("local", the default, or "s3").

    :raises ValueError: another value.
    """
    backend = config.get("STORAGE_BACKEND") or "local"
    if backend not in STORAGES:
        raise ValueError(f"STORAGE_BACKEND {backend!r}: expected one of {', '.join(STORAGES)}")
    if backend == "s3":
        options = {
            "endpoint_url": config.get("S3_ENDPOINT_URL") or None,
            "region_name": config.get("S3_REGION") or None,
            "aws_access_key_id": config.get("S3_ACCESS_KEY") or None,
            "aws_secret_access_key": config.get("S3_SECRET_KEY") or None,
        }
        return S3Storage(config["S3_BUCKET"], config.get("S3_PREFIX", ""), **options)
    return LocalStorage(Path(config["UPLOAD_FOLDER"]))


def ocr_for(config: dict[str, Any], policy: Policy) -> Ocr | None:
    """The OCR aid BEIAN_OCR names: Tesseract where it is installed with its languages, else None.

    :raises ValueError: a value but "tesseract" or "off".
    """
    choice = str(config.get("OCR") or "tesseract")
    if choice not in OCRS:
        raise ValueError(f"OCR {choice!r}: expected one of {', '.join(OCRS)}")
    return TesseractOcr.from_config(config, policy) if choice == "tesseract" else None


def build(app: Flask) -> Runtime:
    """Every adapter of the app, from its configuration.

    :raises ValueError, ImportError, AttributeError: a setting names no adapter.
    """
    config = dict(app.config)
    policy = Policy.from_config(config)
    hasher = PasswordHasher.from_config(config)
    email: EmailSender = (
        SmtpEmailSender.from_config(config) if config.get("SMTP_HOST") else LogEmailSender()
    )
    return Runtime(
        storage=storage_for(config),
        sms=resolve(str(config["SMS_GATEWAY"]), SMS_GATEWAYS).from_config(config, policy),
        email=email,
        webhook=HttpWebhookSender(),
        bureau=resolve(str(config["BUREAU_GATEWAY"]), BUREAUS)(),
        registry=registry_for(config, hasher),
        renderer=TemplateRenderer(app),
        service_codes=resolve(
            str(config.get("SERVICE_CODE_SOURCE") or "local"), SERVICE_CODE_SOURCES
        )(),
        domain_lookup=domain_lookup_for(config),
        fetcher=resolve(str(config["PAGE_FETCHER"]), PAGE_FETCHERS).from_config(config),
        resolver=resolve(str(config["DNS_RESOLVER"]), DNS_RESOLVERS).from_config(config),
        identity=resolve(
            str(config.get("IDENTITY_VERIFIER") or "photo"), IDENTITY_VERIFIERS
        ).from_config(config, policy),
        faces=OpenCvFaceDetector(),
        ocr=ocr_for(config, policy),
        hasher=hasher,
    )


def registry_for(config: dict[str, Any], hasher: PasswordHasher) -> Registry:
    """The registry BEIAN_REGISTRY names: "local" (the default: the local tables, which check
    filing passwords with `hasher`; a subclass of LocalRegistry too), or a provider's "module:Class".

    :raises ValueError, ImportError, AttributeError: the setting names no class.
    """
    cls = resolve(str(config["REGISTRY"]), REGISTRIES)
    registry: Registry = cls(hasher) if issubclass(cls, LocalRegistry) else cls()
    return registry


def domain_lookup_for(config: dict[str, Any]) -> DomainLookup:
    """The domain lookup BEIAN_DOMAIN_LOOKUP names: "local" (the default: the domain table),
    "rdap", or a provider's "module:Class" (built with from_config(config) where it has one).

    :raises ValueError, ImportError, AttributeError: the setting names no class.
    """
    cls = resolve(str(config.get("DOMAIN_LOOKUP") or "local"), DOMAIN_LOOKUPS)
    lookup: DomainLookup = cls.from_config(config) if hasattr(cls, "from_config") else cls()
    return lookup


def install(app: Flask) -> Runtime:
    """Build the app's adapters and keep them on the app (create_app calls it once)."""
    runtime = build(app)
    app.extensions[EXTENSION_KEY] = runtime
    return runtime


def current() -> Runtime:
    """The adapters of the app in whose context this runs."""
    runtime: Runtime = current_app.extensions[EXTENSION_KEY]
    return runtime
