#!/usr/bin/env bash
# Re-extract the msgids (Chinese source strings) and merge them into the English catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k _l -k N_ --no-location --ignore-dirs=.venv --ignore-dirs=tests \
  --project "Beian Desk" -o translations/messages.pot .
if [ -f translations/en/LC_MESSAGES/messages.po ]; then
  .venv/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-obsolete
else
  .venv/bin/pybabel init -i translations/messages.pot -d translations -l en
fi
