"""The shared configuration files of a SageMaker project (``model_config.yaml``, the stage configs): reading their
text safely (:mod:`.documents`), the schemas they are checked against (:mod:`.schemas`) and the checks
(:mod:`.validation`). No AWS and no server here: the ``config`` capability uses them."""

from .documents import Document, DocumentError, Limits, read
from .validation import SchemaProblem, check, summary

__all__ = ["Document", "DocumentError", "Limits", "SchemaProblem", "check", "read", "summary"]
