"""What every layer shares: settings, the chat port, the clock, the reporter, identifier formats, the error boundary.

`core` imports nothing of the project but `core`; every other package may import it.
"""
