"""The radrules version, in a module of its own so that modules imported by ``radrules/__init__`` can read it
(the table cache keys hold it)."""

__version__ = "0.1.0"
