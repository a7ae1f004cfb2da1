"""A marker for translatable strings in pure modules: the text is translated where it is shown."""


def N_(text: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark text for extraction by pybabel (keyword N_) without translating it here."""
    return text
