"""moto's S3 server for the tests that store images in object storage: a real HTTP endpoint on a
free port with one bucket, stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.helpers.live_server import free_port

CREDENTIALS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "test",
    "aws_secret_access_key": "test",
}


@contextmanager
def s3_server(bucket: str) -> Iterator[str]:
    """The endpoint URL of a running moto S3 server that holds `bucket` (skipped without moto)."""
    moto_server = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(Bucket=bucket)
        yield endpoint
    finally:
        server.stop()
