"""Where uploaded images live (the Storage port): a local folder (the default) or an S3-compatible
bucket (boto3), so that several app hosts can share the files. The runtime builds one per process
(one boto3 client, reused by every request).

Keys are random hex names made by materials.store_upload; nothing user-supplied reaches a path.
"""

from __future__ import annotations

import os
from pathlib import Path


def _checked(key: str) -> tuple[str, str]:
    """Split a storage key; refuse anything that is not one of ours.

    :raises ValueError: not a 32-hex-character key with a .jpg or .png ending.
    """
    stem, _, extension = key.partition(".")
    if (
        len(stem) != 32
        or any(c not in "0123456789abcdef" for c in stem)
        or extension not in ("jpg", "png")
    ):
        raise ValueError("not a storage key")
    return stem, extension


class LocalStorage:
    """Files under a folder outside static/: folder/ab/abcdef….jpg."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        """The file of `key` (refused unless it is one of ours)."""
        stem, _ = _checked(key)
        return self.folder / stem[:2] / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the file readable by this app's user only (folders 0700, files 0600)."""
        path = self.path(key)
        for folder in (self.folder, path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path.is_file() else None

    def delete(self, key: str) -> None:
        """Remove the file (a key already gone is no error)."""
        self.path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, OSS/COS S3 endpoints)."""

    def __init__(self, bucket: str, prefix: str = "", **client_options: str | None) -> None:
        import boto3  # noqa: PLC0415 - only S3 deployments load it (tens of MB per worker)

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", **client_options)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        _checked(key)
        self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes | None:
        _checked(key)
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            return bytes(found["Body"].read())
        except self.client.exceptions.NoSuchKey:
            return None

    def delete(self, key: str) -> None:
        """Remove the object (S3 answers a missing key with success too)."""
        _checked(key)
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
