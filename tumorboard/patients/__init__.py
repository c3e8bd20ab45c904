"""patients feature."""
