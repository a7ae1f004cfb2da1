"""The outside world's side of the ports in domain/ports.py: log, SMTP, webhook, SMS platforms, storage, the bureau, the renderer."""
