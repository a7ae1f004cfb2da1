"""Blueprints: site (home, language), auth, applicant, reviewer, admin."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from blueprints.access import INTEGER_LIMIT


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: ids are INTEGER columns, so a larger number is a 404 at routing
    (PostgreSQL would refuse to compare it with the column: a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=INTEGER_LIMIT - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def register_blueprints(app: Flask) -> None:
    from blueprints import admin, api, applicant, auth, materials, reviewer, site, wizard

    app.url_map.converters["int"] = RowIdConverter

    for module in (site, auth, applicant, wizard, materials, reviewer, admin, api):
        app.register_blueprint(module.bp)
