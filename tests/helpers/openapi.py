"""openapi.json as the tests read it: an answer checked against the operation it documents."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi.json").read_text(encoding="utf-8")
)


def check_against_spec(path: str, method: str, response) -> None:
    """The response's status is documented for this operation and its body fits the schema."""
    documented = SPEC["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, response.status_code
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:spec", DRAFT202012.create_resource(SPEC))
    validator = Draft202012Validator({"$ref": "urn:spec#" + schema["$ref"][1:]}, registry=registry)
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert errors == [], errors
