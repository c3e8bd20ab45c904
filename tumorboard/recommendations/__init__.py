"""Board recommendations: recording, sign-off, amendments, implementation and
action items."""
