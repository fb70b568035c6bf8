"""Server settings with their defaults (docs/deployment.md lists each).

Override with ``create_app({...})`` or environment variables ``FIELDLEDGER_<NAME>``.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # sqlite:///FILE (default: <instance>/fieldledger.db) or postgresql://...[?schema=name]
    "DATABASE_URL": None,
    "PHOTO_DIR": None,  # default: <instance>/photos
    "AUTO_MIGRATE": True,  # apply pending migrations when the app starts
    "TOKEN_TTL_DAYS": 7,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_S": 300,
    "MAX_PHOTO_BYTES": 15 * 1024 * 1024,
    "MAX_PUSH_CHANGES": 1000,
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_KIB": 19_456,
    "TRUST_PROXY_HEADERS": False,  # use X-Forwarded-For (only behind your own proxy)
    "UPLOAD_GC_AGE_S": 24 * 3600,
    "OCR_ENABLED": True,  # OCR of ticket photos in a background worker (needs the "ocr" extra)
    "TARGETS_SCHEDULER": True,  # evaluate targets (month ends, week ends) in a background thread
    "TARGETS_SCHEDULER_INTERVAL_S": 3600,  # how often the scheduler checks for due periods
    "TARGETS_SCHEDULER_DELAY_S": 60,  # first check this long after start-up
}
