"""OCR of ticket evidence photos, wired into the server (docs/tickets.md, "OCR summary").

``start_ocr(app)`` (app factory; only when the "ocr" extra is installed and ``OCR_ENABLED``)
starts one ``OcrWorker``. Jobs are derived from state — a ticket photo without OCR text — and
submitted (never blocking) after a push that stored such a ticket, after a photo upload
completes, and at start-up (a background scan). ``on_result`` writes a new version of the ticket
with ``ocr_text[sha256]`` set, so the summary syncs to the devices; an empty summary is stored
too (text-free photo), so the job is not repeated.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask

from sync_server.ocr import OcrEngine, OcrJob, OcrResult, OcrWorker, ocr_available
from sync_server.storage.base import StorageBase
from sync_server.tickets_store import (
    get_ticket_record,
    org_tickets,
    save_ticket,
    ticket_of,
    tickets_with_photo,
)

log = logging.getLogger(__name__)
EXT = "fieldledger.ticket_ocr"
_SEP = "\x1f"  # OcrJob.ticket_id = org_id + _SEP + ticket_id


def job_for(org_id: str, ticket_id: str, sha256: str) -> OcrJob:
    return OcrJob(ticket_id=f"{org_id}{_SEP}{ticket_id}", sha256=sha256)


class TicketOcr:
    """The app's OCR worker and how it loads photos and stores summaries."""

    def __init__(self, storage: StorageBase, photo_dir: str, engine: OcrEngine) -> None:
        self.storage = storage
        self.root = Path(photo_dir)
        self.worker = OcrWorker(engine, self.load_blob, self.on_result)

    def load_blob(self, sha256: str) -> bytes | None:
        """Content-addressed: any organisation's copy of the blob has the same bytes."""
        for path in self.root.glob(f"blobs/*/{sha256[:2]}/{sha256}"):
            return path.read_bytes()
        return None

    def on_result(self, job: OcrJob, result: OcrResult) -> None:
        org_id, _, ticket_id = job.ticket_id.partition(_SEP)
        with self.storage.write(org_id) as tx:
            rec = get_ticket_record(tx, ticket_id)
            ticket = ticket_of(rec)
            if job.sha256 not in ticket.evidence.photos or job.sha256 in ticket.ocr_text:
                return
            text = {**ticket.ocr_text, job.sha256: result.summary}
            save_ticket(tx, ticket.model_copy(update={"ocr_text": text}), rec)
        if result.error:
            log.info("ocr of %s for ticket %s: %s", job.sha256, ticket_id, result.error)

    def submit(self, org_id: str, ticket_id: str, sha256: str) -> bool:
        return self.worker.submit(job_for(org_id, ticket_id, sha256))

    def photo_complete(self, sha256: str) -> int:
        """A photo upload completed: OCR it for every ticket that has it and lacks its text."""
        n = 0
        for org_id, ticket_id in tickets_with_photo(self.storage, sha256):
            rec = self.storage.get_record(org_id, "ticket", ticket_id)
            t = ticket_of(rec) if rec is not None else None
            if t is not None and sha256 in t.evidence.photos and sha256 not in t.ocr_text:
                n += self.submit(org_id, ticket_id, sha256)
        return n

    def pending(self) -> list[OcrJob]:
        """Every ticket photo without OCR text, in every organisation."""
        orgs = self.storage._all("SELECT id FROM orgs")  # type: ignore[attr-defined]
        jobs = []
        for (org_id,) in orgs:
            for _rec, t in org_tickets(self.storage, str(org_id)):
                jobs += [job_for(org_id, t.id, s) for s in t.evidence.photos if s not in t.ocr_text]
        return jobs

    def resubmit_pending(self) -> None:
        try:
            self.worker.submit_many(self.pending())
        except Exception:
            log.exception("ocr start-up scan failed")


def start_ocr(app: Flask, storage: StorageBase) -> TicketOcr | None:
    if not app.config.get("OCR_ENABLED", True) or not ocr_available():
        return None
    service = TicketOcr(storage, app.config["PHOTO_DIR"], OcrEngine(threads=2))
    service.worker.start()
    threading.Thread(target=service.resubmit_pending, name="ocr-scan", daemon=True).start()
    app.extensions[EXT] = service
    return service


def ocr_service(app: Any) -> TicketOcr | None:
    service: TicketOcr | None = app.extensions.get(EXT)
    return service
