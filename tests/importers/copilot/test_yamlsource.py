"""The foundation's reading of CloudFormation short-form tags (``scaffold/importers/copilot/yamlsource.py``).

Every short-form intrinsic function of the CloudFormation YAML form
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html)
becomes its long form, as JSON templates write it, nested at any depth; an unknown tag never
fails. ``workspaces/e-cfn-tags`` holds a template that uses them all.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path
from typing import Any

from scaffold.importers.copilot.yamlsource import Located, load_yaml

TAGS = Path(__file__).with_name("workspaces") / "e-cfn-tags" / "copilot" / "api" / "addons" / "tags.yml"


def load_text(text: str) -> Any:
    """``text`` (dedented) read as ``load_yaml`` reads a file, named ``t.yml``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.yml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return load_yaml(path, "t.yml")


def test_each_short_form_tag() -> None:
    data = load_text("""
        a: !Ref X
        b: !Sub "${A}-x"
        c: !Sub ["${A}", {A: !Ref B}]
        d: !GetAtt R.Endpoint.Address
        e: !GetAtt [R, Arn]
        f: !If [C, 1, 2]
        g: !Select [0, !GetAZs ""]
        h: !Join [",", [a, b]]
        i: !Split [",", "a,b"]
        j: !ImportValue exported
        k: !Base64 hello
        l: !Condition C
        m: !Equals [!Ref Env, prod]
        n: !FindInMap [M, !Ref Env, K]
        o: !Not [!Condition C]
        p: !And [!Condition C, !Condition D]
        q: !Or [!Condition C, !Condition D]
        r: !Cidr ["10.0.0.0/16", 4, 8]
        s: !GetAZs
          Ref: AWS::Region
        t: !SomethingNew value
    """)
    assert isinstance(data, Located)
    assert data["a"] == {"Ref": "X"}
    assert data["b"] == {"Fn::Sub": "${A}-x"}
    assert data["c"] == {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]}
    assert data["d"] == {"Fn::GetAtt": ["R", "Endpoint.Address"]}
    assert data["e"] == {"Fn::GetAtt": ["R", "Arn"]}
    assert data["f"] == {"Fn::If": ["C", 1, 2]}
    assert data["g"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert data["h"] == {"Fn::Join": [",", ["a", "b"]]}
    assert data["i"] == {"Fn::Split": [",", "a,b"]}
    assert data["j"] == {"Fn::ImportValue": "exported"}
    assert data["k"] == {"Fn::Base64": "hello"}
    assert data["l"] == {"Condition": "C"}
    assert data["m"] == {"Fn::Equals": [{"Ref": "Env"}, "prod"]}
    assert data["n"] == {"Fn::FindInMap": ["M", {"Ref": "Env"}, "K"]}
    assert data["o"] == {"Fn::Not": [{"Condition": "C"}]}
    assert data["p"] == {"Fn::And": [{"Condition": "C"}, {"Condition": "D"}]}
    assert data["q"] == {"Fn::Or": [{"Condition": "C"}, {"Condition": "D"}]}
    assert data["r"] == {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}
    assert data["s"] == {"Fn::GetAZs": {"Ref": "AWS::Region"}}
    assert data["t"] == {"Fn::SomethingNew": "value"}


def test_lines_are_kept_under_tags() -> None:
    data = load_text("""
        Resources:
          Q:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub
                - "${A}"
                - A: !Ref B
    """)
    props = data["Resources"]["Q"]["Properties"]
    assert isinstance(props, Located)
    assert str(props.at("QueueName")) == "t.yml:6"
    mapping = props["QueueName"]["Fn::Sub"][1]
    assert isinstance(mapping, Located) and str(mapping.at("A")) == "t.yml:8"


def test_the_fixture_template_reads() -> None:
    data = load_yaml(TAGS, "tags.yml")
    tags = data["Resources"]["TasksQueue"]["Properties"]["Tags"]
    values = {t["Key"]: t["Value"] for t in tags}
    assert values["az"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert values["region"] == {"Fn::GetAZs": {"Ref": "AWS::Region"}}
    assert values["blob"] == {"Fn::Base64": "hello"}
    assert values["imported"] == {"Fn::ImportValue": "shared-vpc-id"}
    assert values["attr"] == {"Fn::GetAtt": ["TasksTopic", "TopicName"]}
    assert values["attr-list"] == {"Fn::GetAtt": ["TasksTopic", "TopicArn"]}
    assert values["sub-list"] == {"Fn::Sub": ["${Prefix}-${AWS::Region}-${!Literal}", {"Prefix": {"Ref": "App"}}]}
    assert data["Conditions"]["Both"] == {"Fn::And": [{"Condition": "Always"}, {"Fn::Equals": ["a", "a"]}]}
