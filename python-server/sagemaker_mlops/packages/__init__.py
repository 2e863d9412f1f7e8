"""Installing packages into a notebook kernel's environment from the platform's CodeArtifact PyPI repository.

``requirements`` checks what the browser asks for (PEP 508 requirement strings naming a package, nothing else);
``index`` holds the CodeArtifact authorization token and the authenticated index URL (which never leave the server
process) and redacts them; ``environment`` finds a kernel's interpreter and what is installed in it;
``installer`` runs uv or pip (dry-run plans and installs) with the index passed through the environment only;
``jobs`` queues installs (one at a time per environment) and restores the environment when one fails.
"""
