"""The namespaces of the :class:`~qualcode.project.Project` facade, one per stage, in the
style of pandas accessors: ``project.coding.accept(...)``, ``project.analyse.swot()``,
``project.agreement.table(...)``, ``project.privacy.pseudonymise()``,
``project.exchange.export_qdpx(...)``, ``project.constructs.load()``.

Each namespace holds its project and reaches the store only through the store's methods.
"""
from __future__ import annotations

import warnings
from typing import Any


class Namespace:
    """A group of a project's verbs about one noun."""

    #: The method a call of the namespace itself stands for, for an old flat method of the
    #: same name (``project.agreement(...)`` → ``project.agreement.table(...)``).
    _call_target: str = ""

    def __init__(self, project: Any):
        self._project = project

    @property
    def _store(self):
        return self._project.store

    @property
    def _config(self):
        return self._project.config

    def __call__(self, *args, **kwargs):
        name = type(self).__name__
        if not self._call_target:
            raise TypeError(f"{name} is a namespace, not a function; see help(project.{self._attr})")
        warnings.warn(f"project.{self._attr}(...) is deprecated; use project.{self._attr}."
                      f"{self._call_target}(...)", DeprecationWarning, stacklevel=2)
        return getattr(self, self._call_target)(*args, **kwargs)

    _attr = ""

    def __repr__(self) -> str:
        verbs = [n for n in dir(self) if not n.startswith("_")]
        return f"<project.{self._attr}: {', '.join(verbs)}>"
