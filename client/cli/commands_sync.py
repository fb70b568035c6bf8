"""``fieldledger login``, ``fieldledger sync`` (progress bar on stderr), ``fieldledger status``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any, TextIO

from client.cli.commands_visit import default_db
from client.localdb.store import LocalStore
from client.sync.api import SyncPhase, SyncProgress, SyncResult, SyncStatus
from client.sync.engine import engine_for, read_status
from client.sync.session import ORG_ID_KEY, SERVER_URL_KEY, login, session_user
from shared.errors import InvalidInput

EXIT_OK, EXIT_ERROR = 0, 2
DB_HELP = "device database (default $FIELDLEDGER_DB or ~/.local/share/fieldledger/device.sqlite)"

_PHASES = {
    SyncPhase.CONNECTING: ("连接", "connecting"),
    SyncPhase.PUSHING: ("上传记录", "pushing"),
    SyncPhase.UPLOADING: ("上传照片", "photos"),
    SyncPhase.PULLING: ("下载", "pulling"),
    SyncPhase.DONE: ("完成", "done"),
    SyncPhase.FAILED: ("失败", "failed"),
    SyncPhase.IDLE: ("", ""),
}


def register(sub: Any) -> None:
    p = sub.add_parser("login", help="sign this device in to a sync server")
    p.add_argument("--db", default=default_db(), help=DB_HELP)
    p.add_argument("--server", required=True, help="server address, e.g. https://sync.example.cn")
    p.add_argument("--org", required=True, help="organisation code")
    p.add_argument("--username", required=True)
    p.add_argument(
        "--password",
        default=None,
        help="password (default $FIELDLEDGER_PASSWORD, else asked for without echo)",
    )
    p.set_defaults(func=cmd_login)

    s = sub.add_parser("sync", help="send unsent work and photos, receive updates")
    s.add_argument("--db", default=default_db(), help=DB_HELP)
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_sync)

    st = sub.add_parser("status", help="pending work, last sync, open conflicts")
    st.add_argument("--db", default=default_db(), help=DB_HELP)
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)


def _password(args: argparse.Namespace) -> str:
    if args.password is not None:
        return str(args.password)
    env = os.environ.get("FIELDLEDGER_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        raise InvalidInput(
            "no password: give --password or set $FIELDLEDGER_PASSWORD",
            message_zh="缺少密码：请使用 --password 或设置 $FIELDLEDGER_PASSWORD",
            field="password",
        )
    return getpass.getpass("Password / 密码: ")


def cmd_login(args: argparse.Namespace) -> int:
    with LocalStore.open(args.db) as store:
        answer = login(store, args.server, args.org, args.username, _password(args))
    user = answer.get("user") or {}
    name = user.get("display_name") or args.username
    if args.lang == "zh":
        print(f"已登录：{name}（{user.get('role', '')}），组织 {user.get('org_id', args.org)}")
    else:
        print(f"Signed in as {name} ({user.get('role', '')}) of {user.get('org_id', args.org)}")
    return EXIT_OK


class ProgressBar:
    """One line on stderr, redrawn in place: phase, records and bytes."""

    def __init__(self, out: TextIO, lang: str, width: int = 24) -> None:
        self.out, self.lang, self.width = out, lang, width
        self.drawn = False
        self.frac = 0.0

    def __call__(self, p: SyncProgress) -> None:
        label = _PHASES[p.phase][0 if self.lang == "zh" else 1]
        if p.bytes_total:
            done, total = p.bytes_done, p.bytes_total
            unit = f"{done // 1024}/{total // 1024} KB"
        else:
            done, total = p.records_done, p.records_total
            unit = f"{done}/{total}" if total else ""
        if p.phase in (SyncPhase.DONE, SyncPhase.FAILED):
            frac, unit = (1.0 if p.phase is SyncPhase.DONE else self.frac), ""
        else:
            frac = min(1.0, done / total) if total else 0.0
        self.frac = frac
        filled = int(frac * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.out.write(f"\r[{bar}] {label:<10} {unit:<16}")
        self.out.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.out.write("\n")
            self.out.flush()


def _result_json(r: SyncResult) -> dict[str, Any]:
    return {
        "ok": r.ok,
        "pushed": r.pushed,
        "pulled": r.pulled,
        "uploaded_bytes": r.uploaded_bytes,
        "new_conflicts": r.new_conflicts,
        "rejected": r.rejected,
        "requeued": r.requeued,
        "reset": r.reset,
        "error": None
        if r.error is None
        else {
            "kind": r.error.kind.value,
            "message_en": r.error.message_en,
            "message_zh": r.error.message_zh,
        },
    }


def _require_login(store: LocalStore) -> None:
    if not store.get_meta(SERVER_URL_KEY):
        raise InvalidInput(
            "this device is not signed in: run `fieldledger login` first",
            message_zh="本机尚未登录，请先运行 fieldledger login",
            field="server",
        )


def cmd_sync(args: argparse.Namespace) -> int:
    with LocalStore.open(args.db) as store:
        _require_login(store)
        engine = engine_for(store)
        bar = None if args.quiet or args.json else ProgressBar(sys.stderr, args.lang)
        try:
            result = engine.sync(bar)
        finally:
            if bar is not None:
                bar.finish()
            engine.transport.close()  # type: ignore[attr-defined]
    if args.json:
        print(json.dumps(_result_json(result), ensure_ascii=False, indent=2))
    elif result.error is None:
        if args.lang == "zh":
            print(
                f"同步完成：上传 {result.pushed} 条，下载 {result.pulled} 条，"
                f"照片 {result.uploaded_bytes // 1024} KB，新冲突 {result.new_conflicts} 条"
            )
        else:
            print(
                f"Synced: {result.pushed} sent, {result.pulled} received, "
                f"{result.uploaded_bytes // 1024} KB of photos, "
                f"{result.new_conflicts} new conflicts"
            )
        if result.rejected:
            print(_rejected_line(result.rejected, args.lang))
    if result.error is not None:
        print(
            f"fieldledger: {result.error.kind.value}: {result.error.message(args.lang)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


def _rejected_line(n: int, lang: str) -> str:
    if lang == "zh":
        return f"注意：{n} 条记录被服务器拒收（见 fieldledger status）"
    return f"Note: the server refused {n} change(s) for good (see fieldledger status)"


def _status_json(st: SyncStatus, store: LocalStore) -> dict[str, Any]:
    return {
        "server": store.get_meta(SERVER_URL_KEY),
        "org_id": store.get_meta(ORG_ID_KEY),
        "user": (session_user(store) or {}).get("username"),
        "pending": {
            "visits": st.pending_visits,
            "photos": st.pending_photos,
            "changes": st.pending_changes,
        },
        "last_sync_at": st.last_sync_at.isoformat() if st.last_sync_at else None,
        "online": st.online,
        "last_error": None
        if st.last_error is None
        else {
            "kind": st.last_error.kind.value,
            "message_en": st.last_error.message_en,
            "message_zh": st.last_error.message_zh,
        },
        "open_conflicts": [
            {
                "id": c.id,
                "record_type": c.record_type,
                "record_id": c.record_id,
                "field": c.field,
                "local_value": c.local_value,
                "server_value": c.server_value,
                "reason": c.reason,
                "created_at": c.created_at.isoformat(),
            }
            for c in st.open_conflicts
        ],
        "rejected": [
            {
                "seq": e.seq,
                "record_type": e.record_type,
                "record_id": e.record_id,
                "error": e.last_error,
            }
            for e in store.rejected_entries()
        ],
    }


def cmd_status(args: argparse.Namespace) -> int:
    with LocalStore.open(args.db) as store:
        data = _status_json(read_status(store), store)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    zh = args.lang == "zh"
    p = data["pending"]
    never = "从未同步" if zh else "never"
    lines = [
        (
            f"服务器：{data['server'] or '未登录'}  用户：{data['user'] or '-'}"
            if zh
            else f"Server: {data['server'] or 'not signed in'}  user: {data['user'] or '-'}"
        ),
        (
            f"待上传：拜访 {p['visits']} 条，照片 {p['photos']} 张，变更共 {p['changes']} 条"
            if zh
            else f"Pending: {p['visits']} visits, {p['photos']} photos, {p['changes']} changes"
        ),
        (
            f"上次同步：{data['last_sync_at'] or never}"
            if zh
            else f"Last sync: {data['last_sync_at'] or never}"
        ),
    ]
    if data["last_error"]:
        key = "message_zh" if zh else "message_en"
        lines.append(("上次错误：" if zh else "Last error: ") + data["last_error"][key])
    conflicts = data["open_conflicts"]
    lines.append(f"未解决冲突：{len(conflicts)} 条" if zh else f"Open conflicts: {len(conflicts)}")
    for c in conflicts:
        lines.append(
            f"  {c['record_type']} {c['record_id']} {c['field'] or ''}: "
            f"{'本机' if zh else 'mine'}={c['local_value']!s} "
            f"{'服务器' if zh else 'server'}={c['server_value']!s} ({c['reason']})"
        )
    if data["rejected"]:
        lines.append(
            f"被拒收：{len(data['rejected'])} 条"
            if zh
            else f"Refused by the server: {len(data['rejected'])}"
        )
        lines.extend(
            f"  #{r['seq']} {r['record_type']} {r['record_id']}: {r['error']}"
            for r in data["rejected"]
        )
    print("\n".join(lines))
    return EXIT_OK
