"""Discipline reviews, staging, the readiness gate and role worklists."""
