"""Serve the built site on 127.0.0.1 (`make serve`); a busy port is said in one line.

Usage: python -m bookkit.serve PORT DIRECTORY
Runs on any Python 3 (no project package needed).
"""

import errno
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


def main(port: int, directory: str) -> None:
    handler = partial(SimpleHTTPRequestHandler, directory=directory)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        sys.exit(f"make: port {port} is already in use: run 'make serve PORT={port + 1}'")
    print(f"Serving {directory} on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit(
            f"make: PORT must be a port number, e.g. 'make serve PORT=8001' (got {sys.argv[1:]})"
        )
    main(int(sys.argv[1]), sys.argv[2])
