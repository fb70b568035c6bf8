"""Server storage: one interface (base.py), two backends (sqlite.py, postgres.py)."""

from __future__ import annotations

from sync_server.storage.base import StorageBase


def open_storage(url: str) -> StorageBase:
    """``sqlite:///path/to/file.db`` or ``postgresql://...`` (``?schema=name`` optional)."""
    if url.startswith("sqlite:///"):
        from sync_server.storage.sqlite import SqliteStorage

        return SqliteStorage(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

        from sync_server.storage.postgres import PostgresStorage

        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        schema = query.pop("schema", None)
        dsn = urlunsplit(parts._replace(query=urlencode(query)))
        return PostgresStorage(dsn, schema=schema)
    from shared.errors import InvalidInput

    raise InvalidInput(
        f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://...",
        message_zh=f"不支持的数据库地址 {url!r}",
        field="DATABASE_URL",
    )
