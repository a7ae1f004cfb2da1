"""The reviewers' OCR aid on Tesseract (Debian's `tesseract-ocr` and `tesseract-ocr-chi-sim`)
through pytesseract: BEIAN_OCR=tesseract, the default. Where the program or its Simplified Chinese
data is missing, the runtime has no OCR and the review screen says the aid is off."""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Mapping
from typing import Any

from PIL import Image, ImageOps

from domain.policy import Policy
from domain.ports import OcrResult

READ_SIDE = 2400  # larger photos are scaled down (Tesseract's time grows with the pixels)
TIMEOUT = 60  # seconds for one image, then the reading fails (the worker goes on)


@functools.cache
def installed_languages() -> frozenset[str]:
    """The language data Tesseract has here (asked once per process); empty without Tesseract."""
    # pytesseract brings numpy (13 MB): imported where Tesseract is asked, not by every worker
    import pytesseract  # noqa: PLC0415

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return frozenset()


class TesseractOcr:
    """Tesseract with the given language data (chi_sim+eng), one page of text per image."""

    def __init__(self, languages: str) -> None:
        self.languages = languages
        # Tesseract's OpenMP threads took every core for one page (and are slower on pages this
        # size than one thread): one thread per reading, the web workers keep the other core
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    @classmethod
    def from_config(cls, config: Mapping[str, Any], policy: Policy) -> TesseractOcr | None:
        """From BEIAN_OCR_LANGUAGES; None where Tesseract or one of those languages is missing."""
        languages = str(config.get("OCR_LANGUAGES") or "chi_sim+eng")
        if not set(languages.split("+")) <= installed_languages():
            return None
        return cls(languages)

    def read(self, image: bytes, kind: str) -> OcrResult:
        """The image's text, line by line, with Tesseract's mean word confidence.

        :raises ConnectionError: Tesseract failed or took longer than a minute.
        """
        import pytesseract  # noqa: PLC0415 (see installed_languages)

        picture = ImageOps.exif_transpose(Image.open(io.BytesIO(image))).convert("L")
        if max(picture.size) > READ_SIDE:
            picture.thumbnail((READ_SIDE, READ_SIDE))
        try:
            data = pytesseract.image_to_data(
                picture, lang=self.languages, config="--psm 3", timeout=TIMEOUT,
                output_type=pytesseract.Output.DICT,
            )  # fmt: skip
        except (RuntimeError, pytesseract.TesseractError, OSError) as exc:
            raise ConnectionError(f"tesseract: {exc}") from None
        lines: dict[tuple[int, int, int], list[str]] = {}
        confidences = []
        for index, word in enumerate(data["text"]):
            if not word.strip():
                continue
            key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
            lines.setdefault(key, []).append(word)
            confidences.append(max(0.0, float(data["conf"][index])))
        text = tuple(" ".join(words) for _, words in sorted(lines.items()))
        mean = sum(confidences) / len(confidences) / 100 if confidences else 0.0
        return OcrResult(text, round(mean, 3))
