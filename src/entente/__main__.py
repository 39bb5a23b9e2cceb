"""`python -m entente` is the `entente` command."""

from entente.cli import main

main()
