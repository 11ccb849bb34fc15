"""Chat adapters for the port in `core/chat_port.py`: neonize, console, and the test fake."""
