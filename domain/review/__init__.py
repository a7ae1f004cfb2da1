"""The reviewers' use cases: queues, claims, decisions at each stage, and the operations report."""
