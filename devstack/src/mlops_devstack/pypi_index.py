"""The PEP 503 "simple" index of the CodeArtifact PyPI repository, as pip sees it.

``<base_url>/codeartifact/<domain>-<owner>/pypi/<repository>/simple/`` lists the curated projects,
``.../simple/<project>/`` their wheels (``#sha256=`` fragments, ``data-requires-python``) and
``.../simple/<project>/<version>/<file>`` downloads one. Like CodeArtifact, every request needs HTTP Basic auth
with user ``aws`` and an unexpired token from GetAuthorizationToken; anything else gets ``401`` with
``WWW-Authenticate: Basic realm="codeartifact"`` and a body saying why.
"""

from __future__ import annotations

import base64
import html
import re
from typing import Optional

from .codeartifact import codeartifact_store
from .contract import Request, Response
from .wheels import normalize

_PATH = re.compile(
    r"^/codeartifact/(?P<domain>[a-z][a-z0-9-]{0,48}[a-z0-9])-(?P<owner>[0-9]{12})/pypi/(?P<repo>[A-Za-z0-9][A-Za-z0-9._-]{1,99})"
    r"/simple(?P<rest>/.*)?$"
)


def _text(status: int, body: str, headers: Optional[dict] = None) -> Response:
    return Response(status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}, body.encode())


def _html(title: str, links: list[str]) -> Response:
    body = (
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n"
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n    <h1>{html.escape(title)}</h1>\n"
        + "".join(f"    {link}<br/>\n" for link in links)
        + "  </body>\n</html>\n"
    )
    return Response(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())


class PypiIndexExtension:
    service = "codeartifact"
    iam_prefix = "codeartifact"
    requires_sigv4 = False  # authenticated here, with CodeArtifact tokens

    def __init__(self, state) -> None:
        self.state = state
        self.store = codeartifact_store(state)

    def operation(self, request: Request) -> Optional[str]:
        if request.method not in ("GET", "HEAD"):
            return None
        m = _PATH.match(request.path)
        if not m:
            return None
        rest = (m.group("rest") or "").strip("/")
        parts = rest.split("/") if rest else []
        return {0: "PypiListProjects", 1: "PypiListFiles", 3: "PypiDownload"}.get(len(parts), "PypiNotFound")

    def preauthenticate(self, request: Request) -> Optional[Response]:
        """The token check alone, which the router runs before the fault switches."""
        m = _PATH.match(request.path)
        return self._authenticate(request, m.group("domain"), m.group("owner")) if m else None

    def dispatch(self, request: Request, operation: str) -> Response:
        m = _PATH.match(request.path)
        assert m is not None
        domain, owner, repo = m.group("domain"), m.group("owner"), m.group("repo")
        denied = self._authenticate(request, domain, owner)
        if denied is not None:
            return denied
        if domain not in self.store.domains or repo not in self.store.domains[domain] or owner != self.state.account_id:
            return _text(404, f"Repository {repo} not found in domain {domain}-{owner}.\n")
        rest = (m.group("rest") or "/").lstrip("/")
        parts = [p for p in rest.split("/") if p]
        response = self._serve(request, operation, parts)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
        return response

    def _authenticate(self, request: Request, domain: str, owner: str) -> Optional[Response]:
        challenge = {"WWW-Authenticate": 'Basic realm="codeartifact"'}
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return _text(401, "Unauthorized: no credentials. Use HTTP Basic auth with user 'aws' and a token from "
                              "'aws codeartifact get-authorization-token'.\n", challenge)
        try:
            user, _, token = base64.b64decode(header[6:].strip()).decode().partition(":")
        except Exception:
            return _text(401, "Unauthorized: invalid credentials (malformed Basic authorization header).\n", challenge)
        if user != "aws":
            return _text(401, f"Unauthorized: invalid credentials (the user name must be 'aws', not '{user}').\n", challenge)
        problem = self.store.check_token(token, domain, owner)
        if problem == "expired":
            return _text(401, "Unauthorized: the CodeArtifact authorization token has expired. Get a new one with "
                              "'aws codeartifact get-authorization-token'.\n", challenge)
        if problem:
            return _text(401, f"Unauthorized: invalid credentials (the token was not issued for domain {domain}-{owner}).\n",
                         challenge)
        return None

    def _serve(self, request: Request, operation: str, parts: list[str]) -> Response:
        packages = self.store.packages
        if operation == "PypiListProjects":
            links = [f'<a href="{html.escape(name)}/">{html.escape(name)}</a>' for name in packages]
            return _html("Simple index", links)
        if operation == "PypiListFiles":
            name = parts[0]
            if normalize(name) != name:
                prefix = request.path[: request.path.rstrip("/").rfind("/")]
                return Response(301, {"Location": f"{prefix}/{normalize(name)}/"}, b"")
            wheels = packages.get(name)
            if not wheels:
                return _text(404, f"Not Found: the package {name} is not in this repository's curated index.\n")
            links = []
            for w in wheels:
                attrs = f'href="{html.escape(w.version)}/{html.escape(w.filename)}#sha256={w.sha256}"'
                if w.requires_python:
                    attrs += f' data-requires-python="{html.escape(w.requires_python)}"'
                links.append(f"<a {attrs}>{html.escape(w.filename)}</a>")
            return _html(f"Links for {name}", links)
        if operation == "PypiDownload":
            name, version, filename = parts
            for w in packages.get(normalize(name), []):
                if w.version == version and w.filename == filename:
                    return Response(
                        200,
                        {"Content-Type": "binary/octet-stream", "Content-Length": str(w.size),
                         "Content-Disposition": f'attachment; filename="{w.filename}"'},
                        w.path.read_bytes(),
                    )
            return _text(404, f"Not Found: {filename}\n")
        return _text(404, "Not Found\n")
