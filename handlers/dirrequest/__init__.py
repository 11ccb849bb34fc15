"""`dirrequest`: the directorate admin menu (see menu.py for the flow, actions.py for the options)."""

from handlers.dirrequest.menu import COMMANDS, MENU

__all__ = ["COMMANDS", "MENU"]
