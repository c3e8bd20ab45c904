"""The case's performance status, recorded by treating clinicians and read by
the readiness gate, the palliative care review and the scores that need it."""
