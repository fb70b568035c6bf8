"""Every target setting is documented in docs/targets.md with its default."""

from __future__ import annotations

from pathlib import Path

from shared.targets import TargetSettings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "targets.md").read_text(encoding="utf-8")


def test_every_target_setting_is_documented_with_its_default():
    defaults = TargetSettings()
    missing = []
    for name in TargetSettings.model_fields:
        value = getattr(defaults, name)
        shown = str(value).lower()
        if f"| `{name}` | {shown} |" not in DOC:
            missing.append(name)
    assert missing == []
