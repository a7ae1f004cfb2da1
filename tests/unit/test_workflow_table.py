"""The README's diagram is the one the workflow table draws."""

from __future__ import annotations

from pathlib import Path

from domain.lifecycle import workflow


def test_the_readme_shows_the_diagram_the_code_draws():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    drawn = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert drawn == workflow.mermaid_diagram()
