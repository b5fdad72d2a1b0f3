"""``python -m lapsefile``: the same as the ``lapsefile`` command."""

from .cli.main import main

main()
