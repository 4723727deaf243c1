"""qualcode: qualitative analysis of interviews, with Finnish-aware automatic coding."""
__version__ = "0.1.0"

from .project import Project  # noqa: E402

__all__ = ["Project", "__version__"]
