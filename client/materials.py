"""Materials delivered by the escalation rules (attack packs 竞品攻坚包, support materials), kept on
the device for offline opening (docs/manager-app.md "Materials offline").

A ``material_delivery`` record lists ``materials[].sha256``. After a successful sync the device
downloads every listed hash it does not hold yet (``GET /api/v1/targets/materials/<sha>/content``
with the session's token), checks that the bytes hash to the name, and keeps them in a
content-addressed folder beside the database: ``<db>.materials/<sha[:2]>/<sha>``. Opening a
material verifies the hash again and writes a copy under its own file name in
``<db>.materials/open/`` so the operating system (or the rep) can open it by name.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from client.localdb.blobs import BlobStore, sha256_hex
from client.localdb.store import LocalStore
from shared.changes import RecordType
from shared.errors import FieldledgerError, StorageError

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


class ContentSource(Protocol):
    def material_content(self, sha256: str) -> bytes: ...


@dataclass(frozen=True)
class MaterialRef:
    """One document of a delivery, as the record lists it."""

    sha256: str
    title_zh: str
    title_en: str
    mime: str
    size: int
    filename: str

    def title(self, lang: str) -> str:
        return (
            (self.title_zh if lang.startswith("zh") else self.title_en)
            or self.title_zh
            or (self.title_en or self.sha256[:12])
        )


@dataclass
class FetchReport:
    downloaded: list[str] = field(default_factory=list)
    already: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # sha -> reason (English)
    offline: bool = False


def materials_dir(store: LocalStore) -> Path:
    return store.path.with_name(store.path.name + ".materials")


def _ref(raw: Any) -> MaterialRef | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("sha256"), str):
        return None
    sha = raw["sha256"].lower()
    if not _SHA_RE.match(sha):
        return None
    try:
        size = int(raw.get("size") or 0)
    except (TypeError, ValueError):
        size = 0
    return MaterialRef(
        sha256=sha,
        title_zh=str(raw.get("title_zh") or ""),
        title_en=str(raw.get("title_en") or ""),
        mime=str(raw.get("mime") or "application/octet-stream"),
        size=size,
        filename=str(raw.get("filename") or ""),
    )


def delivered_refs(store: LocalStore) -> dict[str, MaterialRef]:
    """Every document listed by a pulled delivery, by hash (pending deliveries list none)."""
    out: dict[str, MaterialRef] = {}
    for _rid, _version, payload in store.pulled_records(RecordType.MATERIAL_DELIVERY.value):
        for raw in payload.get("materials") or []:
            ref = _ref(raw)
            if ref is not None:
                out.setdefault(ref.sha256, ref)
    return out


def _extension(mime: str) -> str:
    base = mime.split(";")[0].strip().lower()
    return {
        "application/pdf": ".pdf",
        "text/plain": ".txt",
        "text/html": ".html",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    }.get(base, "")


class MaterialCache:
    """The content-addressed folder of one device's materials."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs = BlobStore(self.root)

    @classmethod
    def for_store(cls, store: LocalStore) -> MaterialCache:
        return cls(materials_dir(store))

    def has(self, sha: str) -> bool:
        return self.blobs.has(sha)

    def fetch(
        self, refs: list[MaterialRef] | dict[str, MaterialRef], api: ContentSource
    ) -> FetchReport:
        """Download what is missing; a download whose bytes do not match its hash is dropped."""
        from client.sync.targets_api import TargetsOffline

        report = FetchReport()
        for ref in refs.values() if isinstance(refs, dict) else refs:
            if self.blobs.verify(ref.sha256):
                report.already += 1
                continue
            try:
                data = api.material_content(ref.sha256)
            except TargetsOffline:
                report.offline = True
                report.failed[ref.sha256] = "offline"
                break
            except FieldledgerError as exc:
                report.failed[ref.sha256] = str(exc)
                continue
            if sha256_hex(data) != ref.sha256:
                report.failed[ref.sha256] = "the bytes received do not match the listed hash"
                continue
            self.blobs.put(data)
            report.downloaded.append(ref.sha256)
        return report

    def read(self, sha: str) -> bytes:
        """The bytes, checked against their hash (``StorageError`` when damaged or missing)."""
        if not self.blobs.verify(sha):
            raise StorageError(
                f"The material {sha[:12]} is not on this device (or is damaged); sync again.",
                message_zh="本机没有这份资料（或已损坏），请联网同步后再打开。",
                field="sha256",
            )
        return self.blobs.get(sha)

    def export(self, ref: MaterialRef) -> Path:
        """Write the material under a readable name in ``open/`` and return the path."""
        data = self.read(ref.sha256)
        name = ref.filename or ref.title_zh or ref.title_en or ref.sha256[:12]
        name = _SAFE_NAME.sub("_", Path(name).name).strip("._") or ref.sha256[:12]
        if not Path(name).suffix:
            name += _extension(ref.mime)
        folder = self.root / "open" / ref.sha256[:12]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if not path.is_file() or sha256_hex(path.read_bytes()) != ref.sha256:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return path


def fetch_delivered(store: LocalStore, api: ContentSource | None = None) -> FetchReport:
    """Download every delivered material this device lacks (called after a successful sync)."""
    refs = delivered_refs(store)
    cache = MaterialCache.for_store(store)
    if all(cache.has(sha) for sha in refs):
        return FetchReport(already=len(refs))
    if api is None:
        from client.sync.targets_api import TargetsApi

        try:
            api = TargetsApi.for_store(store)
        except FieldledgerError:
            return FetchReport(failed=dict.fromkeys(refs, "not signed in"))
    return cache.fetch(refs, api)


def open_with_system(path: Path) -> bool:
    """Ask the operating system to open a file (desktop only); False when it cannot."""
    if sys.platform.startswith("win"):
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return True


def fetch_after_sync(store: LocalStore) -> FetchReport:
    """The post-sync hook (``SyncVM.after_sync``): never raises for a network or disk problem;
    what failed is fetched after the next sync."""
    try:
        return fetch_delivered(store)
    except (FieldledgerError, OSError) as exc:
        return FetchReport(failed={"*": str(exc)})
