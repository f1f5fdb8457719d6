"""Stage 5 — render.

Input: the `Plan` from the graph stage.
Output: a mapping of relative output paths to file contents (SQL migrations, manifest,
docs). Nothing is written here.
Errors: none of its own: the spec was already valid, so a template that fails is a bug (exit 4).
"""

from .environment import make_environment
from .sql import TEMPLATES, render_migrations

__all__ = ["TEMPLATES", "make_environment", "render_migrations"]
