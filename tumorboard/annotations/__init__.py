"""Threaded, sanitised markdown annotations on a case."""
