"""A spec folder holding one domain without the foundation it builds on: one located error
naming what is missing, never an internal error."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from upoe_compiler.cli import app

LONE_DOMAIN = """\
domain: things
title: Things
description: Things of a community.
phase: 2
requirements:
  THG-01: Keep things.
tables:
  things:
    description: Things of a community.
    requirements: [THG-01]
    tenancy: community
    columns:
      label: text
"""


def test_a_domain_without_the_foundation_functions_is_one_located_error(tmp_path: Path) -> None:
    (tmp_path / "things.yaml").write_text(LONE_DOMAIN, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--spec", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.output.count("error[UPOE240]") == 1
    assert f"{tmp_path / 'things.yaml'}:8:3: error[UPOE240]: table 'things' needs functions " in result.output
    for name in ("generate_uuid_v7", "get_current_community_id", "has_any_role", "set_audit_fields"):
        assert f"'{name}'" in result.output
