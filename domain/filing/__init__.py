"""The applicant's filing: the wizard's use cases, materials and authenticity, SMS verification, orders on records."""
