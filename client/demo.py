"""``make demo``: the sync server with demo data and the rep app in web mode, on 127.0.0.1.

Embedded defaults: the server keeps its SQLite database and photos under ``var/demo/server``;
each browser (profile) of the app is its own device with its own database under ``var/demo/web``.
Ctrl-C stops both. ``--evidence-only`` runs just the offline evidence demo and exits.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from client import demo_evidence

VAR = Path(os.environ.get("FIELDLEDGER_VAR", Path.cwd() / "var"))
LOGINS = [
    ("rep1", "demo1234", "销售代表 / field rep"),
    ("rep2", "demo1234", "销售代表 / field rep"),
    ("mgr1", "demo1234", "店长·主管 / store manager"),
    ("admin1", "demo1234", "管理员 / admin"),
]


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _wait_for(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"demo: the {what} exited with status {proc.returncode}")
        if not _free(port):
            return
        time.sleep(0.2)
    raise SystemExit(f"demo: the {what} did not start listening on 127.0.0.1:{port}")


def _server_env(server_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FIELDLEDGER_DATABASE_URL"] = f"sqlite:///{server_dir / 'fieldledger.db'}"
    env["FIELDLEDGER_PHOTO_DIR"] = str(server_dir / "photos")
    return env


def prepare_server(server_dir: Path) -> dict[str, str]:
    """Create the server database and seed the demo organisation once."""
    server_dir.mkdir(parents=True, exist_ok=True)
    env = _server_env(server_dir)
    cli = [sys.executable, "-m", "sync_server.cli"]
    subprocess.run([*cli, "init-db"], env=env, check=True, stdout=subprocess.DEVNULL)
    marker = server_dir / ".seeded"
    if not marker.exists():
        subprocess.run([*cli, "seed-demo"], env=env, check=True)
        marker.write_text("demo\n")
    return env


def run_stack(server_port: int, app_port: int) -> int:
    if not _free(server_port) or not _free(app_port):
        raise SystemExit(
            f"demo: port {server_port} or {app_port} is in use; "
            "set DEMO_SERVER_PORT / DEMO_APP_PORT to free ports"
        )
    env = prepare_server(VAR / "demo" / "server")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--host", "127.0.0.1",
             "--port", str(server_port)],
            env=env,
        )  # fmt: skip
        procs.append(server)
        _wait_for(server_port, server, "sync server")
        app_env = dict(os.environ)
        app_env["FIELDLEDGER_DEFAULT_SERVER"] = f"http://127.0.0.1:{server_port}"
        app_env["FIELDLEDGER_DEFAULT_ORG"] = "demo"
        app = subprocess.Popen(
            [sys.executable, "-m", "client.web", "--host", "127.0.0.1", "--port", str(app_port),
             "--data", str(VAR / "demo" / "web")],
            env=app_env,
        )  # fmt: skip
        procs.append(app)
        _wait_for(app_port, app, "app")
        print_banner(server_port, app_port)
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        print("\ndemo: stopping")
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def print_banner(server_port: int, app_port: int) -> None:
    print("\n" + "=" * 72)
    print(" Fieldledger 外勤台账 demo")
    print(f"   app (web, offline, no CDN):  http://127.0.0.1:{app_port}")
    print(f"   sync server:                 http://127.0.0.1:{server_port}/api/v1/health")
    print(f"   server address for sign-in:  http://127.0.0.1:{server_port}   organisation: demo")
    for user, password, role in LOGINS:
        print(f"   {user:<7} / {password}   {role}")
    print(
        "   Each browser (profile) is its own device with its own database. Ctrl-C stops the demo."
    )
    if not os.environ.get("FLET_VIEW_PATH"):
        print("   Desktop window: needs a Flet 1.0.5 desktop client (set FLET_VIEW_PATH); see")
        print("   docs/packaging.md. The web app above is the same code.")
    print("=" * 72, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evidence-only", action="store_true")
    args = parser.parse_args(argv)
    lang = os.environ.get("FIELDLEDGER_LANG", "zh")
    demo_evidence.run(VAR / "demo-evidence", lang)
    if args.evidence_only:
        return 0
    server_port = int(os.environ.get("DEMO_SERVER_PORT", "8765"))
    app_port = int(os.environ.get("DEMO_APP_PORT", "8550"))
    return run_stack(server_port, app_port)


if __name__ == "__main__":
    sys.exit(main())
