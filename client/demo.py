"""``make demo``: what Fieldledger can show today."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from client import demo_evidence

VAR = Path(os.environ.get("FIELDLEDGER_VAR", Path.cwd() / "var"))


def main() -> int:
    lang = os.environ.get("FIELDLEDGER_LANG", "zh")
    demo_evidence.run(VAR / "demo-evidence", lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
