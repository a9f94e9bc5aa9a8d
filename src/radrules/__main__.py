"""``python -m radrules`` runs the command line."""

import sys

try:
    from .cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl-C before the command had set itself up (while radrules loads)
    code = 1
sys.exit(code)
