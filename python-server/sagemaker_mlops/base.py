"""The base of every handler: Jupyter authentication, strict XSRF, JSON errors ``{code, message}``."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from .allowlist import Refused
from .aws import AwsContext
from .config import SageMakerMLOps


class MLOpsHandler(APIHandler):
    """Every route of the extension derives from this.

    XSRF is checked on every method, GET included, and also for token-authenticated requests: the
    ``_xsrf`` cookie and the ``X-XSRFToken`` header must match. Unauthenticated -> 403.
    """

    @property
    def mlops_config(self) -> SageMakerMLOps:
        return self.settings["sagemaker_mlops.config"]

    @property
    def mlops_aws(self) -> AwsContext:
        return self.settings["sagemaker_mlops.aws"]

    def check_xsrf_cookie(self) -> None:
        if not hasattr(self, "_jupyter_current_user"):
            return None  # called by tornado before authentication; prepare() checks again
        try:
            web.RequestHandler.check_xsrf_cookie(self)
        except web.HTTPError as error:
            raise Refused("XSRFError", "Missing or mismatched XSRF token (the _xsrf cookie and the X-XSRFToken header).") from error

    async def prepare(self) -> None:
        await super().prepare()
        if self.current_user:
            self.check_xsrf_cookie()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, Refused):
            code, message = exc.code, exc.message
        elif isinstance(exc, web.HTTPError):
            code = {403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed", 413: "RequestTooLarge"}.get(
                status_code, f"HTTP{status_code}"
            )
            message = exc.log_message or exc.reason or "Request refused."
            if status_code == 403 and not self.current_user:
                code, message = "Forbidden", "Authentication required: sign in to Jupyter."
        else:
            code, message = "InternalError", "The SageMaker MLOps server extension failed; see the server log."
        self.clear_header("Content-Type")
        self.set_header("Content-Type", "application/json")
        self.set_header("x-amzn-ErrorType", code)
        self.finish(json.dumps({"code": code, "message": message}))

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
