"""The filing rules (DOMAIN.md A4, A5) as pure functions, the A2 document, the pre-check and the MIIT registry."""
