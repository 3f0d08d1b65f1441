"""The number reader's parts: tokens (one number), not_counts (numbers that count nothing),
quantities (qualifiers and ranges). The entry point is :mod:`provenance.text.numbers`."""
