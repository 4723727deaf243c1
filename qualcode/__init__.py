"""qualcode: qualitative analysis of interviews, with Finnish-aware automatic coding.

``qualcode.Project`` is imported on first use, so that ``qualcode --version`` and the
command line's help do not load pandas and the rest of the pipeline.
"""
__version__ = "0.2.0"

__all__ = ["Project", "__version__"]


def __getattr__(name: str):
    if name == "Project":
        from .project import Project

        return Project
    raise AttributeError(f"module 'qualcode' has no attribute '{name}'")
