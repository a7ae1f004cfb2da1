"""The one error type of the domain: every refusal carries a message for the user and, where it is
about one input, that input's field."""

from __future__ import annotations

from domain.support.i18n import N_, Message


class DomainError(Exception):
    """A rule or a use case refused. `message` says why in the user's language (translated where it
    is shown); `field` names the input it is about, when there is one."""

    default = N_("该操作不可执行")

    def __init__(self, message: Message | str | None = None, field: str | None = None) -> None:
        if isinstance(message, str):
            message = Message(message)
        self.message: Message = message or Message(self.default)
        self.field = field
        super().__init__(self.message.text)
