"""The business of access filing, in packages by subject: lifecycle, rulebook, filing, review, accounts, operator, support."""
