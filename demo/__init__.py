"""Demo data for `flask --app app seed-demo`: accounts, IP pool, rule tables, registry, filings."""
