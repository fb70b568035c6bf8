"""Every rule code and every setting is documented (datasette's habit)."""

from __future__ import annotations

from pathlib import Path

from shared.settings import OrgSettings, RuleCode

DOC = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text(encoding="utf-8")


def test_every_rule_code_is_documented_in_validation_md():
    missing = [c.value for c in RuleCode if f"`{c.value}`" not in DOC]
    assert missing == []


def test_every_threshold_setting_is_documented_in_validation_md():
    missing = [name for name in OrgSettings.model_fields if f"`{name}`" not in DOC]
    assert missing == []
