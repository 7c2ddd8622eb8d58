"""`cx360 dashboard`: open the published dashboard in a browser, or serve its folder on 127.0.0.1.

The dashboard is a static folder published with the BI database it was built from; serving it
needs nothing but Python's http.server, bound to the loopback address only.
"""

from __future__ import annotations

import contextlib
import functools
import webbrowser
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from orchestration.settings import Settings

HOST = "127.0.0.1"


def dashboard_dir(settings: Settings) -> Path:
    """The published dashboard: serving/current/dashboard, else (before publications were kept in
    `current`) serving/dashboard."""
    current = settings.serving_dir / "current"
    return (current if current.is_dir() else settings.serving_dir) / "dashboard"


class CannotServe(Exception):
    """The port cannot be listened on (taken, or not ours to take); the message says what to do."""


class _Server(ThreadingHTTPServer):
    # stop at once when interrupted: a browser keeps idle connections open, and waiting for their
    # request threads held a stopped server up until the browser let go
    block_on_close = False


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        pass  # one line per file fetched would drown the address


def serve(folder: Path, port: int, echo: Callable[[str], None]) -> None:
    """Serve `folder` on http://127.0.0.1:port/ until interrupted (port 0: any free port).

    The folder is given by its path, not resolved: when a publication swaps it, the next request
    reads the new one."""
    handler = functools.partial(_Handler, directory=str(folder))
    try:
        server = _Server((HOST, port), handler)
    except OSError as e:
        raise CannotServe(
            f"cannot serve on http://{HOST}:{port}/ ({e.strerror or e}): choose another port with --port, "
            "or --port 0 for any free one"
        ) from None
    with server as httpd:
        echo(f"serving {folder} on http://{HOST}:{httpd.server_address[1]}/ (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


def run(settings: Settings, serve_it: bool, port: int, echo: Callable[[str], None]) -> int:
    """What `cx360 dashboard` does; returns its exit code."""
    folder = dashboard_dir(settings)
    index = folder / "index.html"
    if not index.is_file():
        echo(f"no dashboard at {folder}: `cx360 run` publishes one")
        return 1
    if serve_it:
        serve(folder, port, echo)
        return 0
    echo(f"dashboard: {index}")
    if not webbrowser.open(index.as_uri()):
        echo("no browser to open it here: open the file above, or run `cx360 dashboard --serve`")
    return 0
