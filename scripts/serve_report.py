"""Serve a built Allure report on 127.0.0.1 and print its URL (scripts/report.sh --open).

The single-file report also opens from disk; served, its scenario-matrix links work too: the
repository's docs/ are served beside it at /docs/, where a local run's links point
(harness.settings.default_matrix_url). Only the loopback address is bound.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.settings import REPORT_PORT  # noqa: E402 - after the path is set


class ReportHandler(http.server.SimpleHTTPRequestHandler):
    """The report at /, the repository's docs at /docs/."""

    def translate_path(self, path: str) -> str:
        if path.startswith("/docs/"):
            docs = (ROOT / "docs").resolve()
            wanted = (docs / path.removeprefix("/docs/").split("?")[0].split("#")[0]).resolve()
            return str(wanted) if wanted.is_relative_to(docs) else str(docs / "missing")
        return super().translate_path(path)

    def log_message(self, *args) -> None:  # a quiet console: the URL is what matters
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", nargs="?", default="reports/allure-report")
    parser.add_argument("--port", type=int, default=REPORT_PORT)
    args = parser.parse_args()
    handler = functools.partial(ReportHandler, directory=args.directory)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    except OSError:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        print(f"[report] port {args.port} is taken: serving on another; matrix links expect {args.port}", flush=True)
    with server:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        print(f"[report] serving {args.directory} at {url}  (docs at /docs/; Ctrl-C stops)", flush=True)
        opener = shutil.which("xdg-open")
        if opener and sys.stdout.isatty():
            subprocess.Popen([opener, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
