"""The vocabulary every other wing shares: tables and columns, qualifiers and their intervals,
the calendar, ids and typed errors. Imports nothing else of the package."""
