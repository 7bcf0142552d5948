"""What stands between the page and the network: sessions, the access token, cross-site request checks, upload
size, the Host header, and the headers every response carries.

- On 127.0.0.1 (the default) the page is the clerk's own; requests must name this computer in their Host header,
  so a web site cannot reach it through a DNS name that it points at 127.0.0.1 (DNS rebinding).
- With ``--host`` every request needs a session that has shown the access token (printed at start, like
  Jupyter's) or the admin's password; anything else gets the login page.
- Every POST carries a token tied to its session (a hidden form field, or a header from our own script), and a
  browser's Origin header, when sent, must be this page's own.
- Bodies are cut off past the upload limit before they are read whole.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # no Referer to other sites (a token in an address never travels on); to our own pages the browser then still
    # sends a true Origin header with every form (under no-referrer it sends "null")
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
OPEN_PATHS = ("/login", "/static/")  # what a visitor without the token may see
MAX_SESSIONS = 10_000
LOGIN_TRIES = 10  # failed logins from one address …
LOGIN_WINDOW = 600  # … within this many seconds: the next is refused until the window has passed


@dataclass
class Session:
    id: str
    authenticated: bool = False


class Guard:
    """Pure ASGI middleware (no body buffering): see the module's description."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        port_name: str,
        token: str | None,
        password: str | None,
        loopback: bool,
        body_limit: int,
    ) -> None:
        self.app = app
        self.cookie = f"annual_report_{port_name}"  # cookies are per host, not per port: one name per server
        self.token = token
        self.password = password
        self.loopback = loopback
        self.body_limit = body_limit
        self.secret = secrets.token_bytes(32)
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.failures: dict[str, deque[float]] = {}

    @property
    def locked(self) -> bool:
        return self.token is not None or self.password is not None

    def csrf_token(self, session: Session) -> str:
        return hmac.new(self.secret, session.id.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token(session), str(given))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        headers = Headers(scope=scope)
        new_cookie: str | None = None

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = list(HEADERS)
                if new_cookie is not None:
                    extra.append((b"set-cookie", new_cookie.encode("latin-1")))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if self.loopback and not self._host_ok(headers.get("host", "")):
            await PlainTextResponse("访问地址不对：请用 annual-report serve 显示的地址打开本页", 400)(
                scope, receive, send_guarded
            )
            return
        session = self._session(request.cookies.get(self.cookie))
        if session is None:
            session = self._new_session()
            new_cookie = f"{self.cookie}={session.id}; Path=/; HttpOnly; SameSite=Strict"
        scope.setdefault("state", {})
        scope["state"]["session"] = session
        scope["state"]["guard"] = self

        if self.locked and not session.authenticated:
            given = request.query_params.get("token")
            if given is not None and self._token_ok(given):
                session.authenticated = True
                pairs = parse_qsl(scope.get("query_string", b"").decode())
                query = urlencode([(k, v) for k, v in pairs if k != "token"])
                location = scope["path"] + (f"?{query}" if query else "")
                await RedirectResponse(location, 303)(scope, receive, send_guarded)
                return
            if not scope["path"].startswith(OPEN_PATHS):
                if scope["method"] in ("GET", "HEAD"):
                    response: Response = RedirectResponse("/login", 303)
                else:
                    response = PlainTextResponse("需要先登录", 401)
                await response(scope, receive, send_guarded)
                return

        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and not self._same_origin(origin, headers.get("host", "")):
                await PlainTextResponse("拒绝了来自其他网站的请求", 403)(scope, receive, send_guarded)
                return
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.body_limit:
                await PlainTextResponse(self._too_large(), 413)(scope, receive, send_guarded)
                return
            receive = self._limited(receive)
        await self.app(scope, receive, send_guarded)

    # --- pieces ------------------------------------------------------------------------------------------------

    def _host_ok(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in LOOPBACK

    @staticmethod
    def _same_origin(origin: str, host: str) -> bool:
        return origin in (f"http://{host}", f"https://{host}")

    def _session(self, value: str | None) -> Session | None:
        if not value:
            return None
        session = self.sessions.get(value)
        if session is not None:
            self.sessions.move_to_end(value)
        return session

    def _new_session(self) -> Session:
        session = Session(secrets.token_urlsafe(32))
        self.sessions[session.id] = session
        while len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        return session

    def _token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(self.token.encode(), given.encode())

    def login(self, session: Session, given: str, client: str) -> str:
        """The login form: "" when ``given`` is the token or the password, else why not."""
        now = time.monotonic()
        tries = self.failures.setdefault(client, deque())
        while tries and now - tries[0] > LOGIN_WINDOW:
            tries.popleft()
        if len(tries) >= LOGIN_TRIES:
            return "尝试次数过多，请十分钟后再试"
        given = given.strip()
        if given and (
            self._token_ok(given)
            or (self.password is not None and hmac.compare_digest(self.password.encode(), given.encode()))
        ):
            session.authenticated = True
            tries.clear()
            return ""
        tries.append(now)
        return "令牌或密码不对；请使用启动页面的人提供的完整地址，或向管理员询问密码"

    def _too_large(self) -> str:
        return f"上传的文件太大：不能超过 {self.body_limit // 1024 // 1024} MB"

    def _limited(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.body_limit

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(self._too_large())
            return message

        return limited


class BodyTooLarge(Exception):
    """Raised from inside form parsing when a body without a Content-Length goes past the limit."""


def session_of(request: Request) -> Session:
    return request.state.session  # type: ignore[no-any-return]


def guard_of(request: Request) -> Guard:
    return request.state.guard  # type: ignore[no-any-return]


def form_token(request: Request) -> str:
    return guard_of(request).csrf_token(session_of(request))


def csrf_ok(request: Request, form: Any) -> bool:
    given = form.get("csrf") if form is not None else None
    given = given or request.headers.get("x-csrf-token")
    return guard_of(request).csrf_ok(session_of(request), given if isinstance(given, str) else None)
