"""The API's resources, one blueprint per kind of record."""
