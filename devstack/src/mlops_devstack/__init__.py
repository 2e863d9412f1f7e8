"""A local AWS for the SageMaker MLOps extension (see the repository README).

moto reads INITIAL_NO_AUTH_ACTION_COUNT when it is first imported: setting it here, before any module of the
package can import moto, turns on request authentication (signature verification and IAM policies).
"""

import os

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
