"""The extractor's parts, one concern per module; the entry point is provenance.text.extract."""
