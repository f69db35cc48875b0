"""``python -m bank131_async.bulk``: see :mod:`bank131_async.bulk.cli`."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
