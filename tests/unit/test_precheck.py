"""Input that is not an application of DOMAIN.md A2 is refused before the pre-check, naming the key
that is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.rulebook.application import ApplicationFormatError, loads_application

OK_FILE = Path(__file__).resolve().parents[1] / "data" / "application_ok.json"


OK = json.loads(OK_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b"not json", "$"),
        (b"[]", "$"),
        (json.dumps({**OK, "extra": 1}).encode(), "extra"),
        (
            json.dumps({**OK, "subject": {**OK["subject"], "nickname": "x"}}).encode(),
            "subject.nickname",
        ),
        (
            json.dumps(
                {**OK, "subject": {k: v for k, v in OK["subject"].items() if k != "name"}}
            ).encode(),
            "subject.name",
        ),
        (
            json.dumps({**OK, "subject": {**OK["subject"], "province": 33}}).encode(),
            "subject.province",
        ),
        (
            json.dumps({**OK, "subject": {**OK["subject"], "province": "99"}}).encode(),
            "subject.province",
        ),
        (
            json.dumps({**OK, "subject": {**OK["subject"], "kind": "company"}}).encode(),
            "subject.kind",
        ),
        (
            json.dumps(
                {**OK, "websites": [{**OK["websites"][0], "domains": "qinghe.cn"}]}
            ).encode(),
            "websites[0].domains",
        ),
        (
            json.dumps({**OK, "websites": [{**OK["websites"][0], "ips": [1]}]}).encode(),
            "websites[0].ips[0]",
        ),
        (json.dumps({**OK, "websites": []}).encode(), "websites"),
        (b"{" + b" " * 1_000_001 + b"}", "$"),
    ],
)
def test_input_that_is_not_a2_names_the_key(raw, path):
    with pytest.raises(ApplicationFormatError) as caught:
        loads_application(raw)
    assert path in [problem_path for problem_path, _ in caught.value.problems]
