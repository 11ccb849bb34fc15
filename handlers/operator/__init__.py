"""`oprrequest`: the operator menu of a client (menu.py), its personnel management (people.py),
the recap texts it adds (render.py) and who may use it for which client (scope.py)."""

from handlers.operator.menu import COMMANDS

__all__ = ["COMMANDS"]
