"""The built-in identity verification (BEIAN_IDENTITY_VERIFIER=photo): the live photo the
responsible person takes on the phone page, judged here; and the face detector that judges it,
OpenCV's bundled frontal-face Haar cascade (opencv-python-headless), with no outside service."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image

from domain.policy import Policy
from domain.ports import IdentityResult, IdentitySession, Verdict
from models import Person, Website

CASCADE = "haarcascade_frontalface_default.xml"
WORK_SIDE = 640  # the photo is scaled down to this before the search (a phone photo: 0.1 s)


class OpenCvFaceDetector:
    """Frontal faces by OpenCV's Haar cascade, on a grey, equalised copy of at most 640 pixels a
    side; a face must be at least an eighth of the shorter side (a face in the crowd of a poster
    behind the person does not count, nor does a speck)."""

    def __init__(self) -> None:
        # OpenCV and numpy (37 MB of a worker's memory) are imported at the first photo judged,
        # by the worker that judges it; the cascade's file is checked here, at start
        spec = importlib.util.find_spec("cv2")
        folder = spec.submodule_search_locations if spec else None
        if not folder or not (Path(list(folder)[0]) / "data" / CASCADE).is_file():
            raise RuntimeError(f"OpenCV's {CASCADE} is missing from cv2.data.haarcascades")
        self._cascade: Any = None

    def count_faces(self, image: Image.Image) -> int:
        """How many frontal faces the picture shows (upright, as materials.inspect_image() gives
        it; grey, or it is made grey)."""
        import cv2  # noqa: PLC0415 (see __init__)
        import numpy as np  # noqa: PLC0415

        if self._cascade is None:
            self._cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)  # type: ignore[attr-defined]
        # Scaled from the full picture by area, as before: Pillow's reduce() first was 17 ms less for
        # a phone photo but changed the count for 13 in 150 faces at the detector's margin
        grey = np.asarray(image if image.mode == "L" else image.convert("L"))
        scale = WORK_SIDE / max(grey.shape)
        if scale < 1:
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        grey = cv2.equalizeHist(grey)
        least = max(40, min(grey.shape) // 8)
        faces = self._cascade.detectMultiScale(
            grey, scaleFactor=1.1, minNeighbors=5, minSize=(least, least)
        )
        return len(faces)


class PhotoVerifier:
    """The live photo on our own phone page: the session is the page itself; the photo is judged
    when it is posted (domain/filing/authenticity.py with the face detector), so the verifier has
    nothing to ask afterwards."""

    name = "photo"

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> PhotoVerifier:
        """No settings."""
        return cls()

    def start(self, person: Person, website: Website, return_url: str) -> IdentitySession:
        """The phone page is the session: the person takes the photo there."""
        return IdentitySession(self.name, "", return_url)

    def result(self, session: IdentitySession) -> IdentityResult:
        """Pending until the photo is posted (the phone page records the verdict)."""
        return IdentityResult(Verdict.pending)
