"""``qualcode serve``: the transcript view as a local web app for reviewing codings in context.

It listens on 127.0.0.1 only (another address needs an explicit ``allow_remote`` and prints a
warning), on a free port, and admits a browser only with the random access token in the
address it prints; the token is swapped for a cookie (HttpOnly, SameSite=Strict) at once.
Every write is a POST that must carry the page's CSRF token in a header and come from the
app's own origin.  Pages are the same as ``qualcode view`` writes, rendered from the store on
each request; every decision is one call of the project's library (see
:class:`qualcode.facade.view.ReviewJournal`) with the project opened for that request, so a
command run meanwhile is never overwritten.
"""
from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import re
import secrets
import socket
import threading
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from .errors import QualcodeError
from .labels import check_language

#: Addresses that reach only this computer.
LOOPBACK_NAMES = ("localhost",)
COOKIE = "qualcode_review"
PAGE = re.compile(r"^[A-Za-z0-9_-]{1,80}\.html$")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ReviewApp:
    """The review app of one project folder: its secrets, its coder, its undo journal, and the
    Starlette application (:meth:`asgi`)."""

    def __init__(self, root: Union[str, Path], coder: Optional[str] = None, lang: Optional[str] = None):
        from .facade.view import ReviewJournal
        from .project import Project

        self.root = Path(root)
        with Project(self.root) as project:
            self.coder = coder or project.config.coder
            self.lang = check_language(lang, default=project.config.language)
        self.journal = ReviewJournal(self.coder)
        self.token = secrets.token_urlsafe(24)
        self.session = secrets.token_urlsafe(24)
        self.csrf = secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        self.hosts: set[str] = set()            # Host headers accepted (set when bound)

    def bound_to(self, host: str, port: int) -> None:
        names = {host, "127.0.0.1", "localhost"} if is_loopback(host) else {host}
        self.hosts = {f"{n}:{port}" if ":" not in n else f"[{n}]:{port}" for n in names}

    # -- checks -----------------------------------------------------------------------
    def refusal(self, request, write: bool = False):
        """The response refusing ``request`` (wrong host, no access, no CSRF token), or None."""
        from starlette.responses import PlainTextResponse

        if request.headers.get("host", "") not in self.hosts:
            return PlainTextResponse("This address is not the review app's; open the address qualcode serve printed.",
                                     status_code=400)
        if not hmac.compare_digest(request.cookies.get(COOKIE, ""), self.session):
            return PlainTextResponse("No access: open the address qualcode serve printed (it holds the access "
                                     "token).", status_code=403)
        if write:
            origin = request.headers.get("origin")
            if origin is not None and origin.split("//", 1)[-1] not in self.hosts:
                return _error("this request comes from another site; it was refused", 403)
            if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), self.csrf):
                return _error("the page's security token is missing or old; reload the page", 403)
        return None

    # -- handlers ---------------------------------------------------------------------
    def enter(self, request):
        """``/?token=…``: swap the token for the session cookie and go to the index."""
        from starlette.responses import PlainTextResponse, RedirectResponse

        if request.headers.get("host", "") not in self.hosts:
            return PlainTextResponse("This address is not the review app's.", status_code=400)
        token = request.query_params.get("token", "")
        if not (hmac.compare_digest(token, self.token) or
                hmac.compare_digest(request.cookies.get(COOKIE, ""), self.session)):
            return PlainTextResponse("No access: open the address qualcode serve printed (it holds the access "
                                     "token).", status_code=403)
        response = RedirectResponse("/index.html", status_code=303)
        response.set_cookie(COOKIE, self.session, httponly=True, samesite="strict", path="/")
        return response

    def page(self, request):
        from starlette.responses import HTMLResponse, PlainTextResponse

        refused = self.refusal(request)
        if refused:
            return refused
        name = request.path_params.get("name")
        path = "index.html" if name is None else f"sources/{name}"
        if name is not None and not PAGE.match(name):
            return PlainTextResponse("There is no such page; go back to the index.", status_code=404)
        nonce = secrets.token_urlsafe(16)
        html = self._render(path, nonce)
        if html is None:
            return PlainTextResponse("There is no such source page (it may have been removed); go back to the "
                                     "index.", status_code=404)
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP.format(nonce=nonce), **_HEADERS})

    def _render(self, path: str, nonce: str) -> Optional[str]:
        from .facade.view import view_frames
        from .project import Project
        from .view.pages import Review, render_page

        with self.lock, Project(self.root) as project:
            frames = view_frames(project, pseudonymise=False)    # review the stored text itself
        return render_page(frames, self.lang, path, Review(self.csrf, nonce, self.coder))

    async def act(self, request):
        from starlette.concurrency import run_in_threadpool

        refused = self.refusal(request, write=True)
        if refused:
            return refused
        action = request.path_params["action"]
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return _error("the request is not a JSON object", 400)
        return await run_in_threadpool(self._act, action, body)

    def _act(self, action: str, body: dict):
        from starlette.responses import JSONResponse

        from .project import Project

        call = self._calls().get(action)
        if call is None:
            return _error(f"there is no action '{action}'", 404)
        try:
            with self.lock, Project(self.root) as project:
                message = call(project, body)
        except QualcodeError as exc:
            return _error(str(exc), 400)
        except (KeyError, TypeError, ValueError):
            return _error(f"the request for '{action}' lacks a field or has a bad id; reload the page", 400)
        return JSONResponse({"ok": True, "message": message}, headers=_HEADERS)

    def _calls(self) -> dict[str, Callable]:
        j = self.journal
        return {
            "accept": lambda p, b: j.decide(p, "accept", _id(b["coding_id"])),
            "reject": lambda p, b: j.decide(p, "reject", _id(b["coding_id"])),
            "add": lambda p, b: j.add(p, _id(b["segment_id"]), str(b["code_id"]), _id(b["start"]), _id(b["end"]),
                                      str(b["text"])),
            "remove": lambda p, b: j.remove(p, _id(b["coding_id"])),
            "valence": lambda p, b: j.valence(p, _id(b["coding_id"]), b.get("valence") or None),
            "target": lambda p, b: j.target(p, _id(b["coding_id"]), str(b.get("target") or "") or None),
            "memo": lambda p, b: j.memo(p, _id(b["segment_id"]), str(b["text"])),
            "undo": lambda p, b: j.undo(p),
        }

    def asgi(self):
        """The Starlette application."""
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse, Response
        from starlette.routing import Route

        async def not_found(request, exc):
            return PlainTextResponse("There is no such page; go back to the index.", status_code=exc.status_code)

        async def no_icon(request):
            return Response(status_code=204)

        routes = [Route("/", self.enter), Route("/favicon.ico", no_icon), Route("/index.html", self.page),
                  Route("/sources/{name}", self.page), Route("/api/{action}", self.act, methods=["POST"])]
        return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _error(message: str, status: int):
    from starlette.responses import JSONResponse

    return JSONResponse({"error": message}, status_code=status, headers=_HEADERS)


def _id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
        raise ValueError(value)
    return int(value)


def bind(host: str = "127.0.0.1", port: int = 0, allow_remote: bool = False) -> socket.socket:
    """A listening socket on ``host`` (loopback unless ``allow_remote``) and ``port`` (0: a free one)."""
    if not is_loopback(host) and not allow_remote:
        raise QualcodeError(f"the review app listens only on this computer (127.0.0.1), not on {host}; to open it "
                            "to other computers give the address with --allow-remote")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise QualcodeError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another port") from None
    sock.listen(64)
    return sock


@contextlib.contextmanager
def running(app: ReviewApp, host: str = "127.0.0.1", port: int = 0,
            allow_remote: bool = False) -> Iterator[str]:
    """Run the app in a background thread for the ``with`` block; yields the address to open
    (with the access token)."""
    import uvicorn

    sock = bind(host, port, allow_remote)
    port = sock.getsockname()[1]
    app.bound_to(host, port)
    server = uvicorn.Server(uvicorn.Config(app.asgi(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.02)
    try:
        yield address(host, port, app.token)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def address(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def remote_warning(host: str) -> Optional[str]:
    """The warning printed when the app listens on an address other computers can reach."""
    if is_loopback(host):
        return None
    return (f"Warning: the review app is open to other computers on {host}; anyone who has the address with its "
            "token can read the transcripts and change codings. Stop it when you are done.")


def serve(root: Union[str, Path], host: str = "127.0.0.1", port: int = 0, coder: Optional[str] = None,
          lang: Optional[str] = None, open_browser: bool = True, allow_remote: bool = False,
          echo: Callable[[str], None] = print) -> None:
    """Run the review app until interrupted (Ctrl+C), printing its address and opening it."""
    import webbrowser

    import uvicorn

    app = ReviewApp(root, coder=coder, lang=lang)
    sock = bind(host, port, allow_remote)
    port = sock.getsockname()[1]
    app.bound_to(host, port)
    url = address(host, port, app.token)
    warning = remote_warning(host)
    if warning:
        echo(warning)
    echo(f"Reviewing as {app.coder}: {url}\nStop with Ctrl+C.")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    server = uvicorn.Server(uvicorn.Config(app.asgi(), log_level="warning", lifespan="off"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
