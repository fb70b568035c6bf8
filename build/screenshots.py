"""Phone and tablet screenshots of the app in Chinese and English (docs/screenshots/).

Starts the app in web mode (no CDN) on 127.0.0.1 with demo data seeded into each session's
store, and drives Debian's headless Chromium through Playwright (never ``playwright install``):

    .venv/bin/python build/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SIZES = {"phone": (390, 844), "tablet": (1280, 800)}
SCREENS = ("customers", "profile", "visit_form", "visits", "sync")

SERVER = r"""
import sys, json
from pathlib import Path
sys.path.insert(0, {root!r})
from client.localdb.store import LocalStore
from client.viewmodels.account import Account, save_account, LANG_KEY
from client.web import run_web, web_config
from shared.customers import Customer
from shared.sop import default_sop_templates

CUSTOMERS = [
    ("c1", "南山路旗舰店", "深圳市南山区南山大道 1001 号", 22.5333, 113.9305, "南山", "A",
     "洗衣液库存低于安全线"),
    ("c2", "科技园便利店", "深圳市南山区科技园科苑路 8 号", 22.5405, 113.9530, "南山", "B", ""),
    ("c3", "海岸城超市", "深圳市南山区文心五路 33 号", 22.5170, 113.9360, "南山", "A", ""),
    ("c4", "华强北百货", "深圳市福田区华强北路 3 号", 22.5470, 114.0850, "福田", "B", ""),
    ("c5", "车公庙药店", "深圳市福田区深南大道 6009 号", 22.5380, 114.0200, "福田", "C", ""),
]

def seed(store):
    if store.get_meta("demo.seeded"):
        return
    for s in default_sop_templates().values():
        store.put_sop("demo", s)
    store.upsert_customers([
        Customer(id=i, org_id="demo", name=n, address=a, lat=la, lon=lo, district=d, grade=g,
                 stock_warning=w)
        for i, n, a, la, lo, d, g, w in CUSTOMERS
    ])
    save_account(store, Account(server_url="http://127.0.0.1:8000", org="demo", org_id="demo",
                                rep_id="rep1", username="li", display_name="李雷"))
    store.set_meta(LANG_KEY, sys.argv[2])
    store.set_meta("demo.seeded", "1")

run_web(web_config(Path(sys.argv[3]), seed=seed), port=int(sys.argv[1]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the app did not start on port {port}")


def shoot(lang: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="fl-shots-"))
    script = data / "serve.py"
    script.write_text(SERVER.format(root=str(ROOT)), encoding="utf-8")
    server = subprocess.Popen([sys.executable, str(script), str(port), lang, str(data)], cwd=ROOT)
    saved: list[Path] = []
    try:
        wait_http(port)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update",
                      "--disable-sync"],
            )  # fmt: skip
            for kind, (w, h) in SIZES.items():
                ctx = browser.new_context(
                    viewport={"width": w, "height": h},
                    geolocation={"latitude": 22.5335, "longitude": 113.9307, "accuracy": 15},
                    permissions=["geolocation"],
                )
                page = ctx.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_selector("flt-glass-pane, flutter-view", timeout=60_000)
                page.wait_for_timeout(6000)
                page.locator("flt-semantics-placeholder").dispatch_event("click")
                page.wait_for_timeout(1000)
                for screen in SCREENS:
                    try:
                        goto(page, screen, lang)
                    except Exception as exc:  # keep the other screenshots; say which failed
                        print(f"{kind} {screen} {lang}: navigation failed: {exc}", file=sys.stderr)
                        continue
                    page.wait_for_timeout(2500)
                    path = out / f"{kind}-{screen}-{lang}.png"
                    page.screenshot(path=str(path))
                    saved.append(path)
                ctx.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return saved


NAMES = {
    "zh": {"customers": "客户", "visits": "我的拜访", "sync": "同步", "new": "新建拜访",
           "store": "南山路旗舰店"},
    "en": {"customers": "Customers", "visits": "My visits", "sync": "Sync", "new": "New visit",
           "store": "南山路旗舰店"},
}  # fmt: skip


def tab(p: object, name: str) -> None:
    """A bottom-bar tab (phone) or a rail destination (tablet)."""
    loc = p.get_by_role("tab", name=name).or_(p.get_by_role("button", name=name))  # type: ignore[attr-defined]
    loc = loc.or_(p.get_by_text(name, exact=True))
    loc.first.click(timeout=5000)


def goto(page: object, screen: str, lang: str) -> None:
    """Navigate through the semantics tree, the way a rep taps."""
    n = NAMES[lang]
    p = page  # playwright Page
    if screen in ("customers", "visits", "sync"):
        tab(p, n[screen])
    elif screen == "profile":
        tab(p, n["customers"])
        p.wait_for_timeout(1500)  # type: ignore[attr-defined]
        p.get_by_text(n["store"]).first.click()  # type: ignore[attr-defined]
    elif screen == "visit_form":
        p.get_by_role("button", name=n["new"]).first.click()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=["zh", "en"], nargs="*", default=["zh", "en"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for lang in args.lang:
        for path in shoot(lang, args.out):
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
