"""Reading configuration text safely: YAML 1.2 core-schema scalars (as the browser's YAML library resolves them),
strict JSON, line numbers of JSON pointers, and every limit refusing hostile input quickly and without evaluating
anything."""

from __future__ import annotations

import math
import time

import pytest

from sagemaker_mlops.sharedconfig import check
from sagemaker_mlops.sharedconfig.documents import DocumentError, Limits, read, read_json, read_yaml
from sagemaker_mlops.sharedconfig.schemas import builtin, match


@pytest.mark.parametrize(
    "text,value",
    [
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("Yes", "Yes"),
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False),
        ("tRUE", "tRUE"),
        ("~", None), ("null", None), ("Null", None), ("NULL", None), ("", None), ("nULL", "nULL"),
        ("0", 0), ("-12", -12), ("+12", 12), ("012", 12), ("1_000", "1_000"), ("0o17", 15), ("0o18", "0o18"),
        ("017", 17), ("0x1F", 31), ("0x1f", 31), ("0X1F", "0X1F"), ("-0x1F", "-0x1F"), ("0b101", "0b101"),
        ("1.5", 1.5), ("1.", 1.0), (".5", 0.5), ("-.5", -0.5), ("1e3", 1000.0), ("1.5E-2", 0.015), ("+1.0e+2", 100.0),
        ("1,000", "1,000"), ("1:20", "1:20"), ("2024-01-01", "2024-01-01"), ("1.7-1", "1.7-1"), ("1.2.3", "1.2.3"),
        (".inf", math.inf), ("-.Inf", -math.inf), ("+.INF", math.inf), ("inf", "inf"), (".nan", "nan"), (".NaN", "nan"),
        ("-.nan", "-.nan"), ("<<", "<<"), ("=", "="),
    ],
)
def test_plain_scalars_resolve_by_the_yaml_1_2_core_schema(text, value):
    got = read_yaml(f"k: {text}\n").value["k"]
    if value == "nan":
        assert isinstance(got, float) and math.isnan(got)
    else:
        assert got == value and type(got) is type(value), (text, got)


@pytest.mark.parametrize(
    "text,value",
    [
        ("'true'", "true"), ('"12"', "12"), ("!!str 12", "12"), ("!!int '12'", 12), ("!!float 1", 1.0),
        ("!!bool true", True), ("!!null ''", None), ("! 12", "12"), ("|\n  12\n", "12\n"), (">-\n  yes\n", "yes"),
    ],
)
def test_quoted_block_and_tagged_scalars(text, value):
    got = read_yaml(f"k: {text}\n").value["k"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", ["!!int abc", "!!bool yes", "!!float x", "!!null 0"])
def test_a_core_tag_must_fit_its_value(text):
    with pytest.raises(DocumentError) as error:
        read_yaml(f"k: {text}\n")
    assert error.value.rule == "tag" and error.value.line == 1


def test_keys_become_strings_as_in_javascript():
    value = read_yaml("1: a\ntrue: b\n~: c\n1.5: d\n0x10: e\n'x': f\n").value
    assert value == {"1": "a", "true": "b", "": "c", "1.5": "d", "16": "e", "x": "f"}


def test_merge_keys_are_plain_keys_in_yaml_1_2():
    value = read_yaml("base: &b {a: 1}\nuse:\n  <<: *b\n  c: 2\n").value
    assert value["use"] == {"<<": {"a": 1}, "c": 2}


def test_lines_of_pointers():
    document = read_yaml("# comment\ntrain_config:\n  instance_count: 1\n  hyperparameters:\n    eta: 0.2\nlist:\n  - a\n  - {b: c}\n")
    assert document.line_of("") == 2
    assert document.line_of("/train_config") == 2
    assert document.line_of("/train_config/instance_count") == 3
    assert document.line_of("/train_config/hyperparameters/eta") == 5
    assert document.line_of("/list/1") == 8
    assert document.line_of("/list/1/b") == 8
    assert document.line_of("/train_config/hyperparameters/missing") == 4
    json_document = read_json('{\n  "a": [\n    1,\n    {"b~/": 2}\n  ]\n}\n')
    assert json_document.line_of("/a/1/b~0~1") == 4
    assert json_document.line_of("/a/0") == 3


@pytest.mark.parametrize(
    "text,rule,line",
    [
        ("a: 1\nb: 2\na: 3\n", "duplicateKey", 3),
        ("a:\n  x: 1\n  x: 2\n", "duplicateKey", 3),
        ("1: a\n'1': b\n", "duplicateKey", 2),
        ("? [a]\n: 1\n", "complexKey", 1),
        ("a: !!python/object/apply:os.system ['true']\n", "tag", 1),
        ("a: !!python/name:os.system\n", "tag", 1),
        ("a: !!binary aGVsbG8=\n", "tag", 1),
        ("a: !!timestamp 2024-01-01\n", "tag", 1),
        ("a: !!set {x}\n", "tag", 1),
        ("a: !!omap [x: 1]\n", "tag", 1),
        ("a: !Ref x\n", "tag", 1),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "tag", 3),
        ("a: 1\n---\nb: 2\n", "multipleDocuments", 2),
        ("a: *nothing\n", "unknownAlias", 1),
        ("a: &x [1, *x]\n", "recursiveAlias", 1),
        ("a: [1, 2\n", "syntax", 2),
        ("a: b: c\n", "syntax", 1),
        ("\ta: 1\n", "syntax", 1),
    ],
)
def test_refused_yaml(text, rule, line):
    with pytest.raises(DocumentError) as error:
        read_yaml(text)
    assert (error.value.rule, error.value.line) == (rule, line), error.value.message


@pytest.mark.parametrize(
    "text,rule",
    [
        ('{"a": 1, "a": 2}', "duplicateKey"), ("[1, 2,]", "syntax"), ("{'a': 1}", "syntax"), ("[NaN]", "syntax"),
        ("[Infinity]", "syntax"), ("// c\n[]", "syntax"), ("[01]", "syntax"), ("[1] [2]", "syntax"), ("", "syntax"),
        ('["\x01"]', "syntax"), ('["\\ud800"]', None), ("[" + "1" * 401 + "]", "syntax"),
    ],
)
def test_strict_json(text, rule):
    if rule is None:
        read_json(text)
        return
    with pytest.raises(DocumentError) as error:
        read_json(text)
    assert error.value.rule == rule


def test_json_values():
    assert read_json(' {"a": [1, -2.5e1, true, false, null, "x\\n"], "b": {}} ').value == {
        "a": [1, -25.0, True, False, None, "x\n"], "b": {}
    }


def laughs(levels: int = 9, width: int = 10) -> str:
    text = "a0: &a0 [" + ",".join(["lol"] * width) + "]\n"
    for i in range(1, levels + 1):
        text += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]\n"
    return text


@pytest.mark.parametrize(
    "text,rule",
    [
        (laughs(), "maxNodes"),
        (laughs(levels=30, width=2), "maxNodes"),
        ("x: &x " + "[" * 40 + "]" * 40 + "\ny: " + "[" * 30 + "*x" + "]" * 30 + "\n", "maxDepth"),
        ("a: &a 1\nb: [" + ",".join(["*a"] * 101) + "]\n", "maxAliases"),
        ("a: " + "[" * 200_000, "maxDepth"),
        ("a: " + "{a: " * 100_000, "maxDepth"),
        ("".join("  " * i + "k:\n" for i in range(200)), "maxDepth"),
        ("- " * 1000 + "x\n", "maxDepth"),
    ],
)
def test_hostile_yaml_is_refused_quickly(text, rule):
    started = time.perf_counter()
    with pytest.raises(DocumentError) as error:
        read(text, "model_config.yaml")
    assert error.value.rule == rule
    assert time.perf_counter() - started < 1.0


def test_a_document_of_too_many_nodes_is_refused_once_read_that_far():
    # 100,001 nodes are read before the refusal: the slowest case of the limits (about 0.5 s on one core).
    started = time.perf_counter()
    with pytest.raises(DocumentError) as error:
        read("[" + "[]," * 200_000 + "]", "model_config.yaml")
    assert error.value.rule == "maxNodes"
    assert time.perf_counter() - started < 2.5


def test_the_limits_apply_as_set():
    text = "a: " + "[" * 10 + "]" * 10 + "\n"
    read_yaml(text, Limits(max_depth=11))
    with pytest.raises(DocumentError):
        read_yaml(text, Limits(max_depth=10))
    with pytest.raises(DocumentError) as error:
        read(b"a: 1\n" * 10, "model_config.yaml", Limits(max_bytes=49))
    assert error.value.rule == "maxBytes"


def test_non_utf8_and_bom():
    with pytest.raises(DocumentError) as error:
        read(b"a: 1\nb: \xc3\x28\n", "model_config.yaml")
    assert (error.value.rule, error.value.line) == ("encoding", 2)
    assert read(b"\xef\xbb\xbfa: 1\n", "model_config.yaml").value == {"a": 1}
    assert read(b"\xef\xbb\xbf[1]", "prod-config.json").value == [1]


def test_nothing_is_evaluated(tmp_path):
    marker = tmp_path / "owned"
    for text in [
        f"a: !!python/object/apply:os.system ['touch {marker}']\n",
        f"!!python/object/new:subprocess.check_call [['touch', '{marker}']]\n",
    ]:
        with pytest.raises(DocumentError):
            read_yaml(text)
    assert not marker.exists()


def test_warnings_for_unknown_keys_only_where_the_schema_says():
    text = """framework: xgboost
framework_version: "1.7-1"
data_config:
  inputs: {data: "s3://bucket-1/x", extra_input: "s3://bucket-1/y"}
  split: {train: 0.8, holdout: 0.2}
train_config:
  instance_type: ml.m5.large
  instance_count: 1
  hyperparameters: {anything: 1}
  profiler: true
inference_config: {}
team: ml
"""
    errors, warnings = check("model_config.yaml", text, builtin("model_config"))
    assert errors == []
    assert [(w["pointer"], w["line"], w["rule"]) for w in warnings] == [
        ("/data_config/split/holdout", 5, "unknownKey"),
        ("/train_config/profiler", 10, "unknownKey"),
        ("/team", 12, "unknownKey"),
    ]


def test_x_message_and_rewording():
    errors, _ = check("model_config.yaml", "framework: xgboost\nframework_version: '9'\ntrain_config: {instance_type: m5, instance_count: two}\n", builtin("model_config"))
    got = {(e["pointer"], e["rule"]): e["message"] for e in errors}
    assert got[("/framework_version", "enum")].startswith("is not an XGBoost container version")
    assert got[("/train_config/instance_type", "pattern")] == "must be a SageMaker instance type such as ml.m5.xlarge"
    assert got[("/train_config/instance_count", "type")] == 'must be an integer, not "two"'
    assert {e["message"] for e in errors if e["rule"] == "required"} == {
        "the required key 'data_config' is missing", "the required key 'inference_config' is missing"
    }


def test_unique_items_is_linear_and_javascript_equal():
    schema = {"type": "array", "uniqueItems": True}
    started = time.perf_counter()
    errors, _ = check("prod-config.json", "[" + ",".join('{"a": %d}' % i for i in range(15000)) + "]", schema)
    assert errors == [] and time.perf_counter() - started < 1.0
    assert check("prod-config.json", "[1, 1.0]", schema)[0][0]["rule"] == "uniqueItems"
    assert check("prod-config.json", "[1, true]", schema)[0] == []
    assert check("prod-config.json", '[{"a": [1]}, {"a": [1.0]}]', schema)[0][0]["rule"] == "uniqueItems"


def test_remote_refs_are_never_fetched():
    from sagemaker_mlops.sharedconfig import SchemaProblem

    with pytest.raises(SchemaProblem):
        check("prod-config.json", "[]", {"$ref": "http://169.254.169.254/latest/meta-data/"})


@pytest.mark.parametrize(
    "path,pattern",
    [
        ("model_config.yaml", "model_config.yaml"), ("/model_config.yaml", "model_config.yaml"),
        ("a/b/model_config.yaml", "model_config.yaml"), ("prod-config.json", "prod-config.json"),
        ("Model_Config.yaml", None), ("model_config.yml", None), ("model_config.yaml.bak", None),
    ],
)
def test_files_match_by_base_name(path, pattern):
    files = {"model_config.yaml": "builtin:model_config", "staging-config.json": "builtin:stage_config",
             "prod-config.json": "builtin:stage_config"}
    found = match(files, path)
    assert (found[0] if found else None) == pattern
