"""Workflows: the library functions behind CLI commands that join stages together
(a file is parsed by ``formats``, then written by ``store``). Each is tested on its own."""
