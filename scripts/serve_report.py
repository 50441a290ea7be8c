"""Serve a built Allure report on 127.0.0.1 and print its URL (scripts/report.sh --open).

The single-file report also opens from disk; serving it is for a browser that refuses file://
pages, or for sharing a port through an SSH tunnel. Only the loopback address is bound.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import subprocess
import sys


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # a quiet console: the URL is what matters
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", nargs="?", default="reports/allure-report")
    parser.add_argument("--port", type=int, default=0, help="0 (the default): any free port")
    args = parser.parse_args()
    handler = functools.partial(QuietHandler, directory=args.directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        print(f"[report] serving {args.directory} at {url}  (Ctrl-C stops)", flush=True)
        opener = shutil.which("xdg-open")
        if opener and sys.stdout.isatty():
            subprocess.Popen([opener, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
