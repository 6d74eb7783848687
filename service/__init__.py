"""The podquery query service: a FastAPI app over one index, and the search page it serves.

`python -m service --index DIR` runs it; `create_app(ServiceConfig(...))` builds it for tests and embedding.
"""

from __future__ import annotations

from .app import create_app
from .config import ServiceConfig

__all__ = ["ServiceConfig", "create_app"]
