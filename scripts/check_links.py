"""Every internal link, image and #anchor of the built site resolves.

Serves the site on a free local port and runs LinkChecker on every HTML page
(not only those reachable from the index). LinkChecker checks the pages,
stylesheets, scripts and images they refer to, and (AnchorCheck plugin, see
scripts/linkcheckerrc) every #anchor; it exits non-zero on any error or
warning, and a missing anchor is a warning. Links to other hosts are not
followed here: the browser test fails on any request that leaves the site.

Serving over HTTP rather than reading files keeps the check independent of
file permissions: LinkChecker run as root drops to user `nobody`, who may not
read a build under a private folder.

Usage: python scripts/check_links.py [SITE_DIR]   (default: _build/html)
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINKCHECKER = Path(os.environ.get("LINKCHECKER", HERE.parent / ".venv" / "bin" / "linkchecker"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def end_headers(self):
        # LinkChecker goes above 10 requests per second only to servers that say so.
        self.send_header("LinkChecker", "local")
        super().end_headers()


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # LinkChecker closes connections early once it has what it needs


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "_build/html").resolve()
    if not (site / "index.html").is_file():
        print(f"no built site in {site}: run 'make book' first", file=sys.stderr)
        return 2
    pages = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not {"_static", "_sources"} & set(p.relative_to(site).parts)
    )
    handler = functools.partial(_Quiet, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = "http://{}:{}".format(*server.server_address[:2])
    print(f"checking the links of {len(pages)} pages of {site}, served at {origin}", flush=True)
    try:
        result = subprocess.run(
            [str(LINKCHECKER), "--config", str(HERE / "linkcheckerrc"), "--no-status"]
            + [f"{origin}/{page}" for page in pages]
        )
    finally:
        server.shutdown()
        server.server_close()
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
