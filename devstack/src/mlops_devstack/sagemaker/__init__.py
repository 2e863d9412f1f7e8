"""SageMaker operations moto lacks or gets wrong, one module per capability.

Who owns what:

* moto keeps pipelines (Create/Describe/List/Update/Delete pipeline, AddTags/ListTags/DeleteTags), model package
  groups and model packages, experiments, trials and trial components.
* :mod:`.projects`: projects (CreateProject/ListProjects/DescribeProject, ListTags of a project ARN).
* :mod:`.pipelines` (with :mod:`.definition`): every pipeline-execution operation, executions that progress with
  the clock, step logs, the RegisterModel side effect.
* :mod:`.search`: Search with all operators, sub-expressions, sorting and NextToken.
* :mod:`.registry`: the model registry as clients read and change it (UpdateModelPackage, Describe/List of packages
  and groups, cross-account groups shared by a hub account, ListTags); an approval change starts the deploy
  CodePipeline.
* :mod:`.experiments`: the tags moto drops on experiments, trials and trial components.
* :mod:`.studio`: Studio user profiles and spaces (moto keeps the domains), and ListTags of their ARNs.

:mod:`.extension` composes them into the one extension the router talks to.
"""

from .common import moto_time
from .extension import SageMakerExtension

__all__ = ["SageMakerExtension", "moto_time"]
