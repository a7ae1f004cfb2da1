"""Blueprints: site (home, language), auth, applicant, reviewer, admin."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from blueprints import admin, api, applicant, auth, materials, reviewer, site, wizard

    for module in (site, auth, applicant, wizard, materials, reviewer, admin, api):
        app.register_blueprint(module.bp)
