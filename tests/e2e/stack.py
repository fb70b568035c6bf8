"""The real stack for browser tests: the sync server (``fieldledger-server``) and the app in web
mode (``python -m client.web``), each a child process on 127.0.0.1, and Debian's Chromium.

Nothing here is faked: the server runs its own CLI on a temp SQLite file, the app is the same
module ``make demo`` runs. Ports are free ports picked at start, so tests run in parallel.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEMO_PASSWORD = "demo1234"
WAIT_MS = 20_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_listening(
    port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the {what} exited with status {proc.returncode}")
        if listening(port):
            return
        time.sleep(0.1)
    raise TimeoutError(f"the {what} did not listen on 127.0.0.1:{port} within {timeout} s")


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class SyncServer:
    """``fieldledger-server`` on a temp SQLite database; stop/start keep the database and port."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.db = root / "server.db"
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        root.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        self.env.update(
            FIELDLEDGER_DATABASE_URL=f"sqlite:///{self.db}",
            FIELDLEDGER_PHOTO_DIR=str(root / "photos"),
            FIELDLEDGER_OCR_ENABLED="false",
            FIELDLEDGER_TARGETS_SCHEDULER="false",
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sync_server.cli", *args], env=self.env, cwd=ROOT,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"fieldledger-server {' '.join(args)}: {done.stderr}{done.stdout}")
        return done.stdout

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "sync_server.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_listening(self.port, self.proc, "sync server")

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Read the server's own database (SQLite readers never block its writer)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return list(conn.execute(sql, args).fetchall())
        finally:
            conn.close()

    def api(self, method: str, path: str, token: str = "", body: Any = None) -> tuple[int, bytes]:
        import requests

        from client.sync.transport import PROTOCOL_HEADER, SCHEMA_HEADER
        from shared.changes import PROTOCOL_VERSION, SCHEMA_VERSION

        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: str(SCHEMA_VERSION)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        resp = requests.request(
            method, f"{self.url}/api/v1{path}", json=body, headers=headers, timeout=30
        )
        return resp.status_code, resp.content

    def login(self, username: str, org: str = "demo") -> str:
        code, body = self.api(
            "POST", "/auth/login", body={"org": org, "username": username,
                                         "password": DEMO_PASSWORD, "device_id": f"e2e-{username}",
                                         "device_name": "e2e check"},
        )  # fmt: skip
        assert code == 200, body
        return str(json.loads(body)["token"])


class WebApp:
    """``python -m client.web`` with its own data directory, pointed at ``server_url``."""

    def __init__(self, data: Path, server_url: str, log: Path) -> None:
        self.data = data
        self.port = free_port()
        self.log = log
        self.env = dict(os.environ)
        self.env.update(
            FIELDLEDGER_DEFAULT_SERVER=server_url,
            FIELDLEDGER_DEFAULT_ORG="demo",
            FLET_WEB_NO_CDN="1",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "client.web", "--host", "127.0.0.1",
                 "--port", str(self.port), "--data", str(self.data)],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_listening(self.port, self.proc, "web app", timeout=90)

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None

    def device_dbs(self) -> list[Path]:
        return sorted(self.data.glob("*/*/local.db"))


class Rep:
    """The browser page and the steps a rep takes, found by semantic labels."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self.n = 0

    def shot(self, step: str) -> None:
        self.n += 1
        self.page.wait_for_timeout(400)
        self.page.screenshot(path=str(self.shots / f"{self.n:02d}-{step}.png"))

    def boot(self) -> None:
        page = self.page
        page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=90_000)
        page.wait_for_timeout(1500)
        page.locator("flt-semantics-placeholder").dispatch_event("click")
        page.wait_for_timeout(500)

    def text(self, pattern: str | re.Pattern[str]) -> Any:
        return self.page.get_by_text(pattern).first

    def see(self, pattern: str | re.Pattern[str], timeout: int = WAIT_MS) -> None:
        self.text(pattern).wait_for(state="visible", timeout=timeout)

    def type_into(self, label: str, text: str) -> None:
        """Focus the field and type as a person does (``fill`` can beat Flutter's listener);
        the DOM input mirrors the field, so the text is checked and typed again if a key was
        lost while the field was still taking focus."""
        field = self.page.get_by_label(label).first
        for _ in range(3):
            field.click(timeout=WAIT_MS)
            self.page.wait_for_timeout(300)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text, delay=25)
            self.page.wait_for_timeout(300)
            if field.input_value() == text:
                return
        raise AssertionError(f"could not type into {label!r}: got {field.input_value()!r}")

    def button(self, name: str | re.Pattern[str]) -> Any:
        return self.page.get_by_role("button", name=name).first

    def sign_in(self, expect: re.Pattern[str], app_log: Path, timeout: float = 90) -> None:
        """Tap 登录并登记设备 and wait for the first sync's customers (``expect``). The tap is
        made again while the button still shows, enabled, 8 s after the last (a tap can land
        while the page is re-rendering and be lost; a failed sign-in is retried as a person
        would). On failure the message carries what the
        page showed and the app's log, so a CI run says why."""
        from playwright.sync_api import Error as PlaywrightError

        deadline = time.monotonic() + timeout
        tapped_at = 0.0
        while time.monotonic() < deadline:
            body = self.body()
            if expect.search(body):
                return
            now = time.monotonic()
            idle = self.page.get_by_role("button", name="登录并登记设备", disabled=False)
            if now - tapped_at > 8 and idle.count():
                with contextlib.suppress(PlaywrightError):  # re-rendered away meanwhile
                    idle.first.click(timeout=2000)
                tapped_at = now
            self.page.wait_for_timeout(500)
        log = app_log.read_text(errors="replace").splitlines()[-30:] if app_log.exists() else []
        raise AssertionError(
            f"no {expect.pattern!r} {timeout:.0f} s after signing in; the page showed:\n"
            f"{self.body()}\n--- app log (last lines) ---\n" + "\n".join(log)
        )

    def tap(self, name: str | re.Pattern[str]) -> None:
        self.button(name).click(timeout=WAIT_MS)

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            self.page.wait_for_timeout(250)
        raise AssertionError(f"timed out waiting for {what}")

    def body(self) -> str:
        return str(self.page.evaluate("() => document.body.innerText"))


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
