"""A person's account: sign-up, login and its throttling, sessions, passwords, second factor, and the owner's own data (export, deletion)."""
