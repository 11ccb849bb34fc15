"""The chat port: `port.py` (dataclasses + protocol) and its adapters."""
