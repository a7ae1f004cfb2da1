"""gunicorn settings for `make serve` (gunicorn also reads this file by itself when started here).

Sync workers, on purpose: a sync worker is held by one client for as long as that
client takes to send its request, so as many slow clients as there are workers stall gunicorn
(measured: 10 clients sending their headers a byte at a time stall 2 sync workers, and 2 × 4 gthread
threads; 2 × 8 threads still answer at once). Threads only raise the number it takes; the front that
prevents it is nginx, which reads the whole request before it passes it on (deploy/nginx.conf,
tested by tests/security/test_slowloris.py). gthread stays off for now: with 8 threads the
crash-safety test (workers SIGKILLed 50 times under load, tests/db/test_crash_safety.py) acknowledged
7 openings instead of about 1 000 on PostgreSQL, and on SQLite the threads wait on its one writer
lock; not yet understood, so not shipped.

Three things the command line cannot say:
- gunicorn's own logs (gunicorn.error: a request that failed outside Flask's error pages, with its
  traceback; gunicorn.access) pass the same PII filter as the app's, so no ID or phone number in
  a traceback's SQL parameters reaches the log;
- no `Server: gunicorn` header (the version of the server is nobody's business);
- every allocation of 1 MB or more is its own mapping, given back to the system when freed
  (glibc's mmap threshold, fixed): otherwise glibc raises the threshold after the first large free,
  and the 36 MB of pixels of a 12-megapixel upload stay in the worker's heap for good (measured:
  a worker kept 40-50 MB more after its first phone photo). Set here, in the master, the workers
  forked from it inherit it.

Each such block is then mapped anew, a page fault per 4 KB touched: 12 000 for the 48 MB of a
12-megapixel picture's pixels, about 15 of the 128 ms of CPU a worker spent on a 2 MB phone JPEG.
`make serve` starts gunicorn with glibc's tunable `glibc.malloc.hugetlb=1` (the kernel's transparent
huge pages for those blocks, 2 MB a fault; given back on free as before): 128 -> 114 ms per upload,
a worker's RSS 1-2 MB more. glibc reads its tunables only when a process starts, so it is the
command line's, not this file's (a gunicorn started otherwise runs without it, only slower).
"""

from __future__ import annotations

import ctypes

from gunicorn import glogging
from gunicorn.http import wsgi

from domain.support.masking import PiiLogFilter


class MaskingLogger(glogging.Logger):
    """gunicorn's logger with the PII filter on every handler of its error and access logs."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        pii_filter = PiiLogFilter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
                    handler.addFilter(pii_filter)


def _headers_without_server(response: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


_default_headers = wsgi.Response.default_headers
wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]

M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter (malloc.h)


def _large_allocations_given_back() -> None:
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, 1024 * 1024)
    except AttributeError:  # not glibc (musl has no mallopt): its own policy stands
        pass


_large_allocations_given_back()
logger_class = MaskingLogger
worker_class = "sync"
