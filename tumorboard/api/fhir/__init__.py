"""FHIR R4B: a case as an mCODE bundle, and referrals as bundles."""
