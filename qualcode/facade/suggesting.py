"""Suggestions ranked by meaning (``project.coding.suggest``) and how good they are against
a gold coding, also after a simulated review (``--simulate N``).

The segment vectors of a cached backend are computed once per segment version and kept in
the store; a later ``suggest`` — after more decisions, or a re-code — only reads them.  The
suggestions are stored as coder ``semantic`` with status ``suggested`` and a rule naming the
evidence; each run replaces the previous run's undecided ones and never touches a human
decision.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Optional, Union

import numpy as np
import pandas as pd

from ..model import AUTO_CODER, HUMAN_STATUSES, SEMANTIC_CODER, Coding, count_words
from ..progress import progress_iter

PathLike = Union[str, Path]
#: the coder name of these suggestions (beside ``auto``, the keyword coder)
DEFAULT_BACKEND = "bm25"
#: the share of an example's words found in one segment that makes it a quote of that segment
QUOTED_SHARE = 0.9


def _language(project) -> str:
    return project.codebook().language or project.config.language


def _lemmas(project, backend, texts: list[str]) -> list[list[str]]:
    """The lemmas of ``texts`` if the backend reads them (loading no lemmatiser otherwise)."""
    if not backend.uses_lemmas:
        return [[] for _ in texts]
    return [a.lemmas for a in project._annotator(_language(project)).annotate_many(texts)]


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _code_vectors(project, backend, texts: list[str]) -> np.ndarray:
    """The vectors of the code texts; a cached backend embeds only the texts it has not
    embedded before (a code whose description changed is embedded anew)."""
    if not backend.cached:
        return backend.code_vectors(texts, _lemmas(project, backend, texts))
    hashes = [_text_hash(t) for t in texts]
    cached = project.store.text_vectors(backend.version, hashes)
    missing = list(dict.fromkeys(t for t, h in zip(texts, hashes) if h not in cached))
    if missing:
        fresh = dict(zip(map(_text_hash, missing), backend.code_vectors(missing, [[] for _ in missing])))
        project.store.save_text_vectors(backend.version, fresh)
        cached.update(fresh)
    return np.vstack([cached[h] for h in hashes]) if hashes else backend.code_vectors([], [])


def _embed(project, backend, segs: pd.DataFrame, progress: bool) -> object:
    """Vectors of all the segments (rows in ``segs`` order); cached ones are read, missing
    ones computed with a progress bar and kept."""
    texts = segs["text"].tolist()
    if not backend.cached:
        return backend.segment_vectors(texts, _lemmas(project, backend, texts))
    store = project.store
    ids = [int(s) for s in segs["segment_id"]]
    cached = store.vectors(backend.version, ids)
    missing = [i for i, s in enumerate(ids) if s not in cached]
    if missing:
        bar = iter(progress_iter(range(len(missing)), "Embedding segments", enabled=progress))
        vectors = backend.segment_vectors([texts[i] for i in missing], [],
                                          progress=lambda n: [next(bar, None) for _ in range(n)])
        for _ in bar:
            pass
        fresh = {ids[i]: v for i, v in zip(missing, vectors)}
        store.save_vectors(backend.version, fresh)
        cached.update(fresh)
    return np.vstack([cached[s] for s in ids]) if ids else np.zeros((0, 1), dtype=np.float32)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def quoted_in(example: str, texts: list[set]) -> bool:
    """Whether (nearly) every word of ``example`` is in one of ``texts`` (word sets): an
    example the codebook's author quoted from that segment.

    >>> quoted_in("We had three managers.", [{"so", "we", "had", "three", "managers", "in", "a", "year"}])
    True
    >>> quoted_in("Three managers, imagine!", [{"we", "had", "three", "managers"}])
    False
    """
    words = set(_words(example))
    return bool(words) and any(len(words & t) >= QUOTED_SHARE * len(words) for t in texts)


def _code_texts(codebook, hidden: tuple = ()) -> tuple[list[str], list[str]]:
    """Code ids and what each means: its theme, name, description, keywords and examples.
    An example quoted from one of the ``hidden`` texts is left out: a segment being scored
    must not be its own evidence."""
    hidden_words = [set(_words(t)) for t in hidden]
    ids, texts = [], []
    for code in codebook:
        theme = codebook.root_of(code.id)
        head = f"{codebook[theme].name}: " if theme != code.id and theme in codebook else ""
        words = ", ".join(code.keywords + code.phrases)
        examples = " ".join(e for e in code.examples if not quoted_in(e, hidden_words))
        ids.append(code.id)
        parts = [f"{head}{code.name or code.id}.", code.description, words, examples]
        texts.append(" ".join(p for p in parts if p.strip()))
    return ids, texts


def decisions_of(project):
    """The human decisions in the project as learning examples (oldest first)."""
    from ..suggest import Decisions

    codings = project.codings()
    human = codings[codings["status"].isin(HUMAN_STATUSES)].sort_values(["created_at", "coding_id"])
    return Decisions.from_rows(zip(human["segment_id"], human["code_id"], human["status"]))


def build_model(project, backend: str = DEFAULT_BACKEND, decisions=None, progress: bool = False,
                hidden: tuple = ()):
    """The code model over the project's answer segments (interviewer turns are context only).
    ``backend`` names one backend or several joined by ``+`` (``bm25+semantic``): their
    scores are averaged, and the first gives the similarity and nearest example shown.
    Codebook examples quoted from the ``hidden`` texts are left out (see :func:`_code_texts`)."""
    from ..suggest import CodeModel

    segs = project.segments().reset_index(drop=True)
    answers = np.flatnonzero(~segs["is_interviewer"].to_numpy())
    code_ids, texts = _code_texts(project.codebook(), hidden)
    views = [_view(project, name, segs, texts, progress) for name in backend_names(backend)]
    model = CodeModel(views[0][0][answers], segs["segment_id"].iloc[answers].tolist(), views[0][1], code_ids,
                      decisions if decisions is not None else decisions_of(project), _keyword_hits(project),
                      dict(zip(segs["segment_id"].astype(int), segs["source_id"])),
                      also=[(v[answers], c) for v, c in views[1:]])
    return model, segs.iloc[answers]


def backend_names(backend: str) -> list[str]:
    """The backends of a name such as ``bm25+semantic``, each checked to exist.

    >>> backend_names("bm25+semantic"), backend_names("bm25")
    (['bm25', 'semantic'], ['bm25'])
    """
    from ..errors import QualcodeError

    names = [n.strip() for n in str(backend).split("+")]
    if not all(names) or len(set(names)) != len(names):
        raise QualcodeError(f"suggestion backend {backend!r}: name one backend, or several joined by '+'")
    return names


def _view(project, name: str, segs: pd.DataFrame, code_texts: list[str], progress: bool) -> tuple:
    """One backend's segment vectors (with their context mixed in) and code vectors."""
    from ..suggest import get_backend
    from ..suggest.backends import unit_rows
    from ..suggest.context import context_matrix

    engine = get_backend(name, _language(project))
    vectors = _embed(project, engine, segs, progress)
    mixed = unit_rows(context_matrix(segs["source_id"].tolist(), segs["is_interviewer"].tolist(),
                                     [count_words(t) for t in segs["text"]]) @ vectors)
    return mixed, _code_vectors(project, engine, code_texts)


def _keyword_hits(project) -> dict[int, set]:
    """segment id → the codes the keyword coder found there (whatever was decided since)."""
    codings = project.codings()
    auto = codings[codings["coder"] == AUTO_CODER]
    out: dict[int, set] = {}
    for seg, code in zip(auto["segment_id"], auto["code_id"]):
        out.setdefault(int(seg), set()).add(code)
    return out


def _keyword_rules(project) -> dict[tuple[int, str], str]:
    codings = project.codings()
    auto = codings[(codings["coder"] == AUTO_CODER) & (codings["status"] == "suggested")]
    return {(int(s), c): r for s, c, r in zip(auto["segment_id"], auto["code_id"], auto["rule"])}


def with_scores(codings: pd.DataFrame) -> pd.DataFrame:
    """``codings`` with a ``score`` column: a ranked suggestion's score (NaN for the others),
    so that the review sheet and the view can sort and show them."""
    rule_score = None
    if (codings["coder"] == SEMANTIC_CODER).any():   # else the ranking models (and scipy) stay unloaded
        from ..suggest import rule_score

    scores = [rule_score(r) if c == SEMANTIC_CODER else None for c, r in zip(codings["coder"], codings["rule"])]
    return codings.assign(score=pd.array([np.nan if x is None else x for x in scores], dtype="float64"))


def suggest(project, backend: str = DEFAULT_BACKEND, top_k: int = 3, progress: bool = False) -> pd.DataFrame:
    """Rank the codes of every answer segment and store those above their threshold (at most
    ``top_k`` per segment) as suggestions of coder ``semantic``.  Returns them with their
    score, threshold, similarity and nearest example."""
    from ..suggest import evidence_rule

    model, segs = build_model(project, backend, progress=progress)
    rows = model.rank().rows(top_k)
    bounds = {int(r.segment_id): (int(r.source_id), int(r.start), int(r.end)) for r in segs.itertuples()}
    keywords = _keyword_rules(project)
    codings = [Coding(r["code_id"], r["segment_id"], bounds[r["segment_id"]][1], bounds[r["segment_id"]][2],
                      "suggested", SEMANTIC_CODER, evidence_rule(backend, r, keywords.get((r["segment_id"], r["code_id"]))),
                      source_id=bounds[r["segment_id"]][0]) for r in rows]
    with project.store.transaction():
        replaced = project.store.replace_suggestions(SEMANTIC_CODER, codings)
        project._log("suggest", backend, details={"suggestions": len(codings), "replaced": replaced,
                                                  "examples": sum(map(len, model.decisions.positives.values()))})
    return pd.DataFrame(rows, columns=["segment_id", "code_id", "rank", "score", "threshold", "similarity",
                                       "nearest"])


def _keyword_ranking(project, segment_ids: set) -> tuple[dict[int, list], dict[int, set]]:
    """The keyword coder's codes per segment, the code with most rule hits first."""
    codings = project.codings()
    auto = codings[(codings["coder"] == AUTO_CODER) & codings["segment_id"].isin(segment_ids)]
    counts = auto.groupby(["segment_id", "code_id"]).size().reset_index(name="n")
    ranked: dict[int, list] = {}
    for row in counts.sort_values(["segment_id", "n"], ascending=[True, False], kind="stable").itertuples():
        ranked.setdefault(int(row.segment_id), []).append(row.code_id)
    return ranked, {s: set(c) for s, c in ranked.items()}


def evaluate_suggestions(project, gold: PathLike, backends: tuple = (DEFAULT_BACKEND,), simulate: int = 0,
                         top_k: int = 3) -> pd.DataFrame:
    """hit@1, hit@5, precision, recall and F1 (codes and their themes) of the keyword coder
    and of each backend against a gold coding.  With ``simulate`` the gold's first N coded
    sources count as reviewed (their gold codes are the decisions the model learns from) and
    only the other sources are scored.  Nothing is written to the store."""
    from ..coding.evaluate import attach_segments, ranking_scores, read_gold, simulation_split
    from ..suggest import Decisions

    frame = attach_segments(read_gold(gold), project.segments(), path=str(gold))
    train, test = simulation_split(frame, simulate) if simulate else ([], list(dict.fromkeys(frame["source"])))
    learn = frame[frame["source"].isin(train)]
    decisions = Decisions(reviewed={int(s) for s in learn["segment_id"]})
    for seg, codes in zip(learn["segment_id"], learn["code_set"]):
        for code in codes:
            decisions.positives.setdefault(code, set()).add(int(seg))
    scored = frame[frame["source"].isin(test)]
    gold_sets = {int(s): set(c) for s, c in zip(scored["segment_id"], scored["code_set"])}
    cb = project.codebook()
    theme = {s: {cb.root_of(c) if c in cb else c for c in g} for s, g in gold_sets.items()}

    def row(method, ranked, predicted):
        lifted = {s: {cb.root_of(c) if c in cb else c for c in p} for s, p in predicted.items()}
        lifted_rank = {s: list(dict.fromkeys(cb.root_of(c) if c in cb else c for c in r)) for s, r in ranked.items()}
        out = {"method": method, **ranking_scores(gold_sets, ranked, predicted)}
        themes = ranking_scores(theme, lifted_rank, lifted)
        return {**out, "theme hit@1": themes["hit@1"], "theme f1": themes["f1"]}

    rows = [row("keywords", *_keyword_ranking(project, set(gold_sets)))]
    for name in backends:
        ranking = build_model(project, name, decisions=decisions, hidden=tuple(scored["text"]))[0].rank()
        rows.append(row(name, ranking.top(5), ranking.predicted(top_k)))
    return pd.DataFrame(rows).assign(reviewed_sources=len(train))
