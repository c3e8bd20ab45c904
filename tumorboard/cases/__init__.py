"""cases feature."""
