"""Both catalogues hold the same keys, none empty, and every key the app names exists."""

from __future__ import annotations

import re
from pathlib import Path

from client.i18n import CATALOGUES, EN, ZH, Msg, t

ROOT = Path(__file__).resolve().parents[2]
KEY_USE = re.compile(r"""(?:Msg\(|\bt\(|\btr\(|key=)\s*["'](\w+\.[a-z_.]*[a-z_])["']""")


def test_both_catalogues_have_the_same_keys_and_no_empty_values() -> None:
    assert ZH.keys() == EN.keys()
    for lang, cat in CATALOGUES.items():
        assert [k for k, v in cat.items() if not v.strip()] == [], lang


def test_placeholders_match_between_languages() -> None:
    fields = re.compile(r"{(\w+)}")
    for key in ZH:
        assert set(fields.findall(ZH[key])) == set(fields.findall(EN[key])), key


def test_every_key_named_in_the_app_exists() -> None:
    used: set[str] = set()
    app_files = [
        ROOT / "client" / "i18n.py",
        ROOT / "client" / "app.py",
        ROOT / "client" / "web.py",
    ]
    for path in [
        *(ROOT / "client" / "viewmodels").rglob("*.py"),
        *(ROOT / "client" / "screens").rglob("*.py"),
        *app_files,
    ]:
        if not path.exists():
            continue
        used.update(KEY_USE.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys: the pattern is broken"
    assert sorted(used - ZH.keys()) == []


def test_chinese_is_the_default_and_messages_nest() -> None:
    assert t("nav.sync") == "同步"
    assert t("nav.sync", "en-GB") == "Sync"
    msg = Msg("first.failed", {"reason": Msg.raw("密码错误", "wrong password")})
    assert msg.text("zh") == "登录失败：密码错误"
    assert msg.text("en") == "Sign-in failed: wrong password"
