"""The access gate's console (DOMAIN.md A9): 未备案访问, the refused hosts with their counts, and
the allow-list of the provider's own domains."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required, row_id
from blueprints.admin.console import bp
from domain.duties import gate
from domain.errors import DomainError
from domain.lifecycle.states import Role
from i18n import gettext as _
from runtime.policy import current_policy
from runtime.transaction import transaction


@bp.get("/gate")
@role_required(Role.admin)
def gate_refusals():
    """未备案访问: the domains the gate refused, the most recently refused first, searchable."""
    query = request.args.get("q", "")[:100]
    page = max(row_id(request.args.get("page", "")), 1)
    rows, more = gate.refused_domains(current_policy().provider_code, query, page)
    return render_template("admin/gate_refusals.html", rows=rows, more=more, page=page, q=query)


@bp.get("/gate/allow-list")
@role_required(Role.admin)
def gate_allow_list():
    """The provider's own domains, which pass the gate with their subdomains."""
    return render_template(
        "admin/gate_allow_list.html", entries=gate.allow_list(), refused=[], retry="", note=""
    )


@bp.post("/gate/allow-list")
@role_required(Role.admin)
def add_gate_domains():
    """Put the domains typed (one per line) on the allow-list."""
    with transaction():
        added, refused = gate.add_allowed(
            request.form.get("domains", "")[:20_000], request.form.get("note", ""), current_user
        )
    if added:
        flash(_("已加入白名单：%(domains)s", domains="、".join(added)), "ok")
    if refused:  # the refused lines stay in the box to be corrected, with the note typed
        return render_template(
            "admin/gate_allow_list.html", entries=gate.allow_list(),
            refused=[(entry, why.render(_)) for entry, why in refused],
            retry="\n".join(entry for entry, _why in refused), note=request.form.get("note", ""),
        ), 422  # fmt: skip
    return redirect(url_for("admin.gate_allow_list"))


@bp.post("/gate/allow-list/<int:entry_id>/remove")
@role_required(Role.admin)
def remove_gate_domain(entry_id: int):
    """Take one domain off the allow-list."""
    try:
        with transaction():
            removed = gate.remove_allowed(entry_id, current_user)
    except DomainError as exc:
        flash(exc.message.render(_), "bad")
    else:
        flash(_("已移出白名单：%(domain)s", domain=removed), "ok")
    return redirect(url_for("admin.gate_allow_list"))
