"""The one Jinja environment: strict, SQL-safe filters, no autoescape for SQL."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from ..ir import with_requirements
from ..pgnames import ident, literal, text_array
from .docs.text import inline_code

DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "templates"


# One environment per templates folder for the life of the process: Jinja caches each compiled
# template in its environment, and compiling the templates costs more than rendering a spec with
# them. A template edited on disk is still picked up (auto_reload compares modification times).
@functools.cache
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
    environment.filters["inline_code"] = inline_code  # the docs' prose
    return environment
