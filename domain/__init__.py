"""Pure domain logic: states, the workflow, rules and working days. No Flask imports."""
