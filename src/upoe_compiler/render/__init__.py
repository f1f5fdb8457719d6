"""Stage 5 — render.

Input: the `Plan` from the graph stage.
Output: a mapping of relative output paths to file contents (SQL migrations, manifest,
docs). Nothing is written here.
Errors: UPOE401 a template failed (an internal error: the spec was already valid).
"""

from .environment import make_environment
from .sql import TEMPLATES, render_migrations

__all__ = ["TEMPLATES", "make_environment", "render_migrations"]
