"""The documentation site in build/docs/: what a newcomer reads before the SQL.

Every decision is made here, in Python: the coordinates of each domain's ERD, the cells of
each table's access matrix, the rows of the requirement traceability table. The templates
under templates/docs/ only give them shape. Their names end in `.html`, so the environment
autoescapes everything they print; the pages need only `style.css` and no network, so they
work offline from file://. JavaScript is an extra: search.js shows a search box over a generated
index (search-index.js); without it the box stays hidden and the A-Z page lists every name.
"""

from .pages import TEMPLATE_NAMES, page_of
from .site import render_docs

__all__ = ["TEMPLATE_NAMES", "page_of", "render_docs"]
