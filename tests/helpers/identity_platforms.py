"""Local stand-ins for the identity platforms' HTTP APIs (Alibaba Cloud ID Verification, Tencent
Cloud FaceID): an endpoint on 127.0.0.1 that answers each action as the platform documents it,
recording every request the official SDK really sends, and a page that plays the platform's H5
page (the person "completes" the check there and is sent back to the return address)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Call:
    """One API call as it reached the stand-in: the action, its parameters (query and form body
    together, or the JSON body), its headers (lower-case names)."""

    action: str
    params: dict
    headers: dict[str, str]


@dataclass
class IdentityPlatform:
    """The stand-in's address, its answer per action (JSON), and the calls it received."""

    endpoint: str = ""
    answers: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # sessions finished on the "H5 page"
    # the answers that hold once the person has finished on the H5 page (the verdict)
    after_completion: dict[str, dict] = field(default_factory=dict)

    def actions(self) -> list[str]:
        return [call.action for call in self.calls]


def aliyun_init(certify_id: str, endpoint: str) -> dict:
    """InitFaceVerify's answer: the CertifyId and the CertifyUrl (here: the stand-in's H5 page)."""
    return {"RequestId": "130A2C10-B9EE", "Code": "200", "Message": "success",
            "ResultObject": {"CertifyId": certify_id,
                             "CertifyUrl": f"{endpoint}/h5?session={certify_id}"}}  # fmt: skip


def aliyun_describe(code: str = "200", passed: str = "T", sub_code: str = "200",
                    message: str = "success") -> dict:  # fmt: skip
    """DescribeFaceVerify's answer (a code but 200 carries no ResultObject)."""
    answer: dict = {"RequestId": "130A2C10-B9EE", "Code": code, "Message": message}
    if code == "200":
        answer["ResultObject"] = {"Passed": passed, "SubCode": sub_code, "MaterialInfo": "{}"}
    return answer


def tencent_detect_auth(biz_token: str, endpoint: str) -> dict:
    """DetectAuth's answer: the BizToken and the Url of the H5 page."""
    return {"Response": {"Url": f"{endpoint}/h5?session={biz_token}", "BizToken": biz_token,
                         "RequestId": "a0aabda6"}}  # fmt: skip


def tencent_detect_info(err_code: int | None, err_msg: str | None = None) -> dict:
    """GetDetectInfoEnhanced's answer (text only): ErrCode None while the person has not finished."""
    return {"Response": {"Text": {"ErrCode": err_code, "ErrMsg": err_msg, "IdCard": "",
                                  "Name": "", "LiveStatus": err_code, "Comparestatus": err_code},
                         "RequestId": "a0aabda6"}}  # fmt: skip


def tencent_error(code: str, message: str = "") -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message or code},
                         "RequestId": "a0aabda6"}}  # fmt: skip


@contextmanager
def identity_platform() -> Iterator[IdentityPlatform]:
    """The stand-in, running until the block ends. POST: an API call, answered with
    `answers[action]`. GET /h5?session=…: the platform's page, which marks the session completed
    (`after_completion` takes effect) and sends the person back to the return address the session
    was started with (ReturnUrl, RedirectUrl)."""
    platform = IdentityPlatform()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            url = urlparse(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if raw.startswith(b"{"):
                params.update(json.loads(raw))
            elif raw:
                params.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
            action = headers.get("x-acs-action") or headers.get("x-tc-action") or ""
            platform.calls.append(Call(action, params, headers))
            out = json.dumps(platform.answers.get(action, {}), ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def do_GET(self) -> None:  # noqa: N802
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            platform.completed.append(query.get("session", ""))
            platform.answers.update(platform.after_completion)
            started = [
                c.params for c in platform.calls if c.action in ("InitFaceVerify", "DetectAuth")
            ]
            back = started[-1].get("ReturnUrl") or started[-1].get("RedirectUrl") if started else ""
            self.send_response(302 if back else 200)
            if back:
                self.send_header("Location", back)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    platform.endpoint = f"http://127.0.0.1:{server.server_port}"
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
