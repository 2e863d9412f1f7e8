"""One product name and version everywhere; the server extension enables itself."""

import json
from pathlib import Path

import sagemaker_mlops

ROOT = Path(__file__).resolve().parents[2]
SERVER = Path(__file__).resolve().parents[1]


def test_version_matches_the_npm_package():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["name"] == "sagemaker-mlops"
    assert sagemaker_mlops.__version__ == package["version"]


def test_install_json_names_the_python_package():
    # The labextension build copies it into the wheel's share/jupyter/labextensions/sagemaker-mlops/.
    assert json.loads((ROOT / "install.json").read_text())["packageName"] == "sagemaker-mlops"


def test_server_extension_enabled_by_config():
    config = json.loads((SERVER / "jupyter-config/server-config/sagemaker_mlops.json").read_text())
    assert config["ServerApp"]["jpserver_extensions"] == {"sagemaker_mlops": True}


def test_extension_points():
    assert sagemaker_mlops._jupyter_server_extension_points() == [{"module": "sagemaker_mlops"}]
    assert sagemaker_mlops._jupyter_labextension_paths() == [{"src": "labextension", "dest": "sagemaker-mlops"}]
