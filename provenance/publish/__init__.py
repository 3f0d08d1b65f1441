"""The read side a data desk publishes from: provenance cards, revision series and charts,
exports (CSV, Parquet, JSONL, ClaimReview, PROV-JSON) and the one-file HTML report of a run."""
