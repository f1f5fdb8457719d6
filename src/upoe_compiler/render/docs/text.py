"""Prose from the spec, as HTML: escaped first, then `backticked` words set as code."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_CODE = re.compile(r"`([^`\n]+)`")


def inline_code(text: str) -> Markup:
    """The text escaped (the spec never injects markup), each `span` in backticks as <code>;
    a lone backtick stays as written."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))
