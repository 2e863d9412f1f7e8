"""One product name and version everywhere; the wheel carries the labextension, install.json and the server config."""

import json
import sys
from pathlib import Path

import sagemaker_mlops

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    if tomllib is None:
        import pytest

        pytest.skip("tomllib needs Python 3.11")
    return tomllib.loads((SERVER / "pyproject.toml").read_text())


def test_version_is_single_sourced_from_the_npm_package():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["name"] == "sagemaker-mlops"
    project = pyproject()
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"] == {"source": "nodejs", "path": "../package.json"}
    assert sagemaker_mlops.__version__ == package["version"]


def test_wheel_layout():
    project = pyproject()
    assert project["project"]["name"] == "sagemaker-mlops"
    shared = project["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"]
    assert shared["sagemaker_mlops/labextension"] == "share/jupyter/labextensions/sagemaker-mlops"
    # install.json reaches share/jupyter/labextensions/sagemaker-mlops/ inside the labextension folder: the
    # labextension build copies it there, so mapping it again would add it twice (hatchling refuses that).
    assert "../install.json" not in shared
    assert (
        shared["jupyter-config/server-config/sagemaker_mlops.json"]
        == "etc/jupyter/jupyter_server_config.d/sagemaker_mlops.json"
    )
    for source in shared:
        if not source.startswith("sagemaker_mlops/labextension"):  # the frontend build writes that one
            assert (SERVER / source).exists(), source
    builder = project["tool"]["hatch"]["build"]["hooks"]["jupyter-builder"]
    assert "sagemaker_mlops/labextension/package.json" in builder["ensured-targets"]
    assert builder["build-kwargs"] == {"path": "..", "build_cmd": "build:prod", "npm": ["npm"]}
    # package.json writes the labextension where the wheel takes it from.
    package = json.loads((ROOT / "package.json").read_text())
    assert package["jupyterlab"]["outputDir"] == "python-server/sagemaker_mlops/labextension"


def test_install_json_names_the_python_package():
    data = json.loads((ROOT / "install.json").read_text())
    assert data["packageManager"] == "python"
    assert data["packageName"] == "sagemaker-mlops"


def test_server_extension_enabled_by_config():
    config = json.loads((SERVER / "jupyter-config/server-config/sagemaker_mlops.json").read_text())
    assert config["ServerApp"]["jpserver_extensions"] == {"sagemaker_mlops": True}


def test_extension_points():
    assert sagemaker_mlops._jupyter_server_extension_points() == [{"module": "sagemaker_mlops"}]
    assert sagemaker_mlops._jupyter_labextension_paths() == [{"src": "labextension", "dest": "sagemaker-mlops"}]


async def test_extension_is_loaded_by_the_server(jp_serverapp):
    assert jp_serverapp.extension_manager.extensions["sagemaker_mlops"].enabled
    config = jp_serverapp.web_app.settings["sagemaker_mlops.config"]  # set when the extension loaded
    assert config.parent is jp_serverapp
