"""The registry import console: upload a CSV, see what it would change, then confirm."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import role_required
from blueprints.admin.console import bp
from domain.lifecycle.states import Role
from domain.operator import imports
from domain.rulebook.registry import COLUMN_HELP, RegistryImportError
from domain.support.i18n import N_
from i18n import gettext as _
from runtime import current as runtime_adapters
from runtime import policy
from runtime.transaction import transaction


def _imports_folder() -> Path:
    folder = imports.folder_beside(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/registry", methods=["GET", "POST"])
@role_required(Role.admin)
def registry():
    """Upload a registry CSV: see what it would change (nothing is written), then confirm."""
    provider_code = policy.current_policy().provider_code
    context = {"summary": None, "error": None, "token": None, "columns": COLUMN_HELP.items(),
               "provider_code": provider_code}  # fmt: skip
    if request.method == "POST":
        upload = request.files.get("csv")
        data = upload.read(10_000_001) if upload else b""
        try:
            if len(data) > 10_000_000:
                raise RegistryImportError(0, N_("文件超过 10 MB"))
            text = data.decode("utf-8")
            context["summary"] = imports.preview_registry(text, provider_code)
        except UnicodeDecodeError:
            context["error"] = _("文件不是 UTF-8 编码")
        except RegistryImportError as exc:
            context["error"] = (
                _("第 %(line)s 行：%(reason)s", line=exc.line, reason=exc.reason)
                if exc.line
                else exc.reason
            )
        else:
            summary = context["summary"]
            if summary.changed or summary.passwords_unchecked:
                context["token"] = imports.save_preview(_imports_folder(), text)
    status = 422 if context["error"] else 200
    return render_template("admin/registry.html", **context), status


@bp.post("/registry/<token>")
@role_required(Role.admin)
def confirm_registry(token: str):
    """Import the previewed file (all or nothing); the import is audited."""
    max_age = 60 * float(current_app.config["RETENTION_IMPORT_MINUTES"])
    text = imports.take_preview(_imports_folder(), token, max_age)  # deleted as it is taken
    if text is None:
        abort(404)
    try:
        with transaction():
            summary = imports.import_registry_csv(
                text, current_user, policy.current_policy().provider_code,
                request.form.getlist("drop"), hasher=runtime_adapters().hasher,
            )  # fmt: skip
    except RegistryImportError as exc:
        flash(_("导入失败，未导入任何数据：%(reason)s", reason=exc.message.render(_)), "bad")
        return redirect(url_for("admin.registry"))
    flash(_("已导入：新增主体 %(s)s、网站 %(w)s；更新主体 %(us)s、网站 %(uw)s",
            s=summary.subjects_created, w=summary.websites_created,
            us=summary.subjects_updated, uw=summary.websites_updated), "ok")  # fmt: skip
    kept = [drop for drop in summary.held_drops if not drop.dropped]
    if kept:  # the preview counted them as updated, as if confirmed: say why they are not
        flash(_("%(n)s 个本服务商接入的网站未勾选“确认移除”，保留本服务商代码，未更新（预览的计数假定已确认）：%(numbers)s",
                n=len(kept), numbers=_("、").join(d.website_number for d in kept)), "ok")  # fmt: skip
    return redirect(url_for("admin.registry"))
