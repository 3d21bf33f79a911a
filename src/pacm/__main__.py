"""``python -m pacm``: the same command line as the ``pacm`` script."""

from .cli import main

raise SystemExit(main())
