"""Turns a notice (what the domain decided to say) into text with the app's Jinja templates:
templates/notifications/<template>.txt (first line the subject), an e-mail wrapped in
notifications/email.txt and .html with the rejection's reasons, the link and the provider's name.
Needs the Flask app (templates, translations, routes): the runtime builds it with the app."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import force_locale

from domain.ports import Notice, Rendered


class TemplateRenderer:
    """Renders notices with the templates of `app`, in the notice's language."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def filing_link(self, filing_id: int, public_url: str) -> str:
        """The absolute address of the applicant's page of a filing (BEIAN_PUBLIC_URL + route)."""
        path = self.app.url_map.bind("localhost").build(
            "applicant.show_filing", {"filing_id": filing_id}
        )
        return public_url.rstrip("/") + path

    def render(self, notice: Notice) -> Rendered:
        """The notice as its reader gets it (the SMS text, or the e-mail's text and HTML)."""
        if notice.locale is None:  # called in the app's context (a request, a CLI command)
            return self._render(notice)
        with force_locale(notice.locale):
            return self._render(notice)

    def _render(self, notice: Notice) -> Rendered:
        text = render_template(f"notifications/{notice.template}.txt", **notice.context)
        subject, _, body = text.strip().partition("\n")
        subject, body = subject.strip(), body.strip()
        if notice.channel == "sms":
            return Rendered(subject, body or subject)
        wrapper = {
            "subject": subject, "body": body, "filing": notice.filing,
            "provider_name": notice.context.get("provider_name", ""),
            "link": self.filing_link(notice.filing_id, notice.public_url)
            if notice.filing_id is not None else "",
            "rejection": notice.rejection, "reasons": notice.reasons,
        }  # fmt: skip
        return Rendered(
            subject,
            render_template("notifications/email.txt", **wrapper).strip(),
            render_template("notifications/email.html", **wrapper),
        )
