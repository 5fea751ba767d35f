"""The catalog: MLPerf Training results and the accelerator table (filled in by the importer commit)."""
