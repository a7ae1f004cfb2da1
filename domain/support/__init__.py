"""Plumbing the other packages share: translation markers, masking, sealing, password hashes, upserts, the outbox and its sender."""
