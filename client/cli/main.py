"""The headless client: ``fieldledger`` — the same code paths the app uses.

Bad input prints a message naming the problem and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from client.cli import commands_evidence, commands_visit
from shared.errors import FieldledgerError

EXIT_OK, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldledger", description="Fieldledger field visit ledger (headless client)"
    )
    parser.add_argument(
        "--lang",
        default=os.environ.get("FIELDLEDGER_LANG", "zh"),
        choices=["zh", "en"],
        help="language of messages (default zh, or $FIELDLEDGER_LANG)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands_evidence.register(sub)
    commands_visit.register(sub)
    try:  # the sync commands live beside the sync engine
        from client.cli import commands_sync
    except ImportError:  # pragma: no cover - only while the sync engine is absent
        pass
    else:
        commands_sync.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except FieldledgerError as exc:
        field = f" [{exc.field}]" if exc.field else ""
        print(f"fieldledger: {exc.code}{field}: {exc.message_for(args.lang)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        name = getattr(exc, "filename", None) or ""
        print(f"fieldledger: cannot read/write {name}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("fieldledger: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
