"""The base of every handler: Jupyter authentication and authorization, strict XSRF, JSON errors ``{code, message}``."""

from __future__ import annotations

import hmac
import json
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .allowlist import Refused
from .config import SageMakerMLOps
from .endpoints import AwsContext

#: Every route of the extension is under <base_url>sagemaker-mlops/.
ROUTE_PREFIX = "sagemaker-mlops"

#: The jupyter_server authorization resource of every route of the extension.
AUTH_RESOURCE = "sagemaker-mlops"


class MLOpsHandler(APIHandler):
    """Every route of the extension derives from this.

    XSRF is checked on every method, GET included, and also for token-authenticated requests: the
    ``_xsrf`` cookie and the ``X-XSRFToken`` header must both be present and match (a ``_xsrf`` query or form
    argument is not accepted instead of the header). Unauthenticated -> 403. Errors are JSON ``{code, message}``.
    """

    auth_resource = AUTH_RESOURCE

    @property
    def mlops_config(self) -> SageMakerMLOps:
        return self.settings["sagemaker_mlops.config"]

    @property
    def mlops_aws(self) -> AwsContext:
        return self.settings["sagemaker_mlops.aws"]

    def check_xsrf_cookie(self) -> None:
        """jupyter_server's check exempts token-authenticated requests and GET; ours runs in :meth:`prepare`."""
        return None

    def check_xsrf_strict(self) -> None:
        header = self.request.headers.get("X-XSRFToken")
        cookie = self.get_cookie(self.settings.get("xsrf_cookie_name", "_xsrf"))
        if not header or not cookie:
            raise Refused("XSRFError", "Missing XSRF token: send the _xsrf cookie and the same value in X-XSRFToken.")
        _, sent, _ = self._decode_xsrf_token(header)
        _, expected, _ = self._decode_xsrf_token(cookie)
        if not sent or not expected or not hmac.compare_digest(sent, expected):
            raise Refused("XSRFError", "Mismatched XSRF token: X-XSRFToken does not match the _xsrf cookie.")

    async def prepare(self) -> None:
        await super().prepare()
        # Refused here, before a streamed body is read; @web.authenticated on every method stays as well.
        if not self.current_user:
            raise web.HTTPError(403)
        self.check_xsrf_strict()

    async def authorize(self, action: str) -> None:
        """Ask jupyter_server's Authorizer (e.g. a JupyterHub read-only share) about an action on the extension."""
        allowed = await ensure_async(self.authorizer.is_authorized(self, self.current_user, action, AUTH_RESOURCE))
        if not allowed:
            raise Refused("Forbidden", f"You are not authorized to {action} on {AUTH_RESOURCE}.")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, Refused):
            code, message = exc.code, exc.message
        elif isinstance(exc, web.HTTPError):
            code = {
                400: "BadRequest",
                403: "Forbidden",
                404: "NotFound",
                405: "MethodNotAllowed",
                413: "RequestTooLarge",
            }.get(status_code, f"HTTP{status_code}")
            message = exc.log_message or exc.reason or "Request refused."
            if status_code == 403 and not self.current_user:
                code, message = "Forbidden", "Authentication required: sign in to Jupyter (token or login)."
        else:
            code, message = "InternalError", "The SageMaker MLOps server extension failed; see the server log."
        self.clear_header("Content-Type")
        self.set_header("Content-Type", "application/json")
        self.set_header("x-amzn-ErrorType", code)  # the AWS SDK reads the error code from here or from `code`
        details = {k: v for k, v in exc.details.items() if k not in ("code", "message")} if isinstance(exc, Refused) else {}
        self.finish(json.dumps({"code": code, "message": message, **details}))

    def log_exception(self, typ, value, tb) -> None:  # type: ignore[override]
        if isinstance(value, Refused):
            self.log.info("sagemaker_mlops: %s %s refused: %s", self.request.method, self.request.path, value.code)
            return
        super().log_exception(typ, value, tb)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, Refused):
            status_code = exc.status
        super().send_error(status_code, **kwargs)
