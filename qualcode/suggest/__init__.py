"""Suggestions ranked by meaning: text backends registered by name and a code model that
learns from the researcher's decisions (accepted and added codings are examples of a code,
rejections counter-examples).  Nothing here reads the store; the project layer feeds it."""
from .backends import Backend, available_backends, get_backend, register_backend
from .learn import CodeModel, Decisions, Ranking, evidence_rule, rule_score

__all__ = ["Backend", "available_backends", "get_backend", "register_backend", "CodeModel",
           "Decisions", "Ranking", "evidence_rule", "rule_score"]
