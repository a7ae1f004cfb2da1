"""The OCR aid's job, run by the outbox worker between its deliveries (never in a request): the
pending licence and ID pages read one per transaction with this process's OCR and storage."""

from __future__ import annotations

from domain.filing import readings
from runtime import current
from runtime.transaction import transaction

PER_ROUND = (
    5  # pages a worker round reads (Tesseract: a second or three each) before it sends again
)


def read_pending(limit: int = PER_ROUND) -> int:
    """Read up to `limit` pending pages; how many were read (0 where the aid is off)."""
    adapters = current()
    if adapters.ocr is None:
        return 0
    done = 0
    while done < limit:
        with transaction():
            reading = readings.read_next(adapters.ocr, adapters.storage)
        if reading is None:
            break
        done += 1
    return done
