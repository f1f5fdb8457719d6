"""Every lint rule against its YAML cases: specs (plus, where the DSL cannot produce the
anti-pattern, a mutation of the resolved model) that must fire and must not fire."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from upoe_compiler import ir
from upoe_compiler.api import analyse
from upoe_compiler.lint import RULES, lint, rule_docs

HERE = Path(__file__).parent
SPEC = HERE.parents[1] / "spec"


def cases() -> list[Any]:
    params = []
    for path in sorted(HERE.glob("UPOE*.yaml")):
        data = yaml.safe_load(path.read_text())
        for outcome in ("fires", "passes"):
            for case in data[outcome]:
                params.append(pytest.param(path.stem, outcome, case, id=f"{path.stem}-{outcome}-{case['name']}"))
    return params


def mutate(model: ir.Model, mutations: list[dict[str, Any]]) -> ir.Model:
    objects = {o.key: o for o in model.objects}
    for mutation in mutations:
        if "remove" in mutation:
            del objects[mutation["remove"]]
            continue
        key = mutation.get("object") or mutation["duplicate"]
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in mutation.get("set", {}).items()}
        changed = dataclasses.replace(objects[key], **changes)
        objects[changed.key if "duplicate" in mutation else key] = changed
    return ir.Model(model.domains, tuple(objects.values()))


@pytest.mark.parametrize(("code", "outcome", "case"), cases())
def test_rule_case(code: str, outcome: str, case: dict[str, Any], tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC, spec_dir)
    if "spec" in case:
        (spec_dir / "case.yaml").write_text(case["spec"])
    model, _, _ = analyse(spec_dir, run_lint=False)
    model = mutate(model, case.get("mutate", []))
    findings = [d for d in lint(model) if d.code == code]
    if outcome == "fires":
        assert len(findings) == case.get("count", 1), [d.message for d in findings]
        # Objects of the platform (schemas, extensions) come from no spec line.
        assert all((d.position is not None or case.get("platform")) and d.hint for d in findings)
        for text in case.get("message_contains", []):
            assert any(text in d.message for d in findings), [d.message for d in findings]
    else:
        assert findings == []


def test_every_rule_has_cases_both_ways_and_a_documented_reason() -> None:
    for code, doc in rule_docs():
        data = yaml.safe_load((HERE / f"{code}.yaml").read_text())
        assert data["fires"] and data["passes"], code
        assert "Anti-pattern:" in doc and "Best practice:" in doc, code
        assert RULES[code].hint


def test_the_bundled_spec_has_no_findings() -> None:
    model, _, _ = analyse(SPEC, run_lint=False)
    assert [d.render(with_snippet=False) for d in lint(model)] == []


def test_upoe_lint_reports_findings_with_their_place_and_fails(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from upoe_compiler.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["lint", "--spec", str(SPEC)]).exit_code == 0
    spec_dir = tmp_path / "spec"
    shutil.copytree(SPEC, spec_dir)
    case = yaml.safe_load((HERE / "UPOE502.yaml").read_text())["fires"][0]
    (spec_dir / "case.yaml").write_text(case["spec"])
    result = runner.invoke(app, ["lint", "--spec", str(spec_dir)])
    assert result.exit_code == 1
    assert "case.yaml:11:7: error[UPOE502]" in result.output
    assert "hint: wrap the call itself" in result.output
    compiled = runner.invoke(app, ["compile", "--spec", str(spec_dir), "--out", str(tmp_path / "build")])
    assert compiled.exit_code == 1 and not (tmp_path / "build").exists()
