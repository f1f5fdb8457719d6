"""The one Jinja environment: strict, SQL-safe filters, no autoescape for SQL."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..ir import with_requirements
from ..pgnames import ident, literal, text_array

DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "templates"


def make_environment(templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["ident"] = ident
    environment.filters["literal"] = literal
    environment.filters["text_array"] = text_array
    environment.filters["with_requirements"] = lambda text, reqs: with_requirements(text, tuple(reqs))
    return environment
