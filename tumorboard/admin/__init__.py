"""Administration screens: the audit log browser (accounts are managed in ``auth``)."""
