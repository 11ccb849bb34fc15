"""Adapters for data that comes from outside: RapidAPI, Google Sheets, files."""
