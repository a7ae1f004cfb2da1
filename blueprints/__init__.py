"""Blueprints: site (home, language), auth, applicant, wizard, materials, reviewer, admin, API; and
the web layer's plumbing (access checks, the transaction boundary, the policy reader, htmx glue)."""
