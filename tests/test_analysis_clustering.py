"""The typology's own average linkage (UPGMA) against scipy's: the same distances, the same
merge heights and the same flat clusters, on random code profiles full of ties and on the
demo study's informants, so that dropping scipy's import from reports changes no type."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist, squareform

from qualcode.analysis import typology
from qualcode.analysis.typology import average_linkage, cluster_types, flat_clusters, jaccard_distances


def partition(labels) -> list[tuple[int, ...]]:
    groups: dict = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    return sorted(map(tuple, groups.values()))


def random_profiles(rng, n_max: int = 30):
    n = int(rng.integers(2, n_max))
    return rng.random((n, int(rng.integers(1, 12)))) < rng.uniform(0.1, 0.8)


def test_jaccard_distances_equal_scipys_pdist_including_empty_profiles():
    rng = np.random.default_rng(1)
    for _ in range(300):
        x = random_profiles(rng)
        x[0] = False                      # an empty profile: 0/0, which scipy gives as 0 or nan
        want = squareform(np.nan_to_num(pdist(x, metric="jaccard"), nan=0.0))
        assert np.array_equal(jaccard_distances(x), want)


def test_average_linkage_and_flat_clusters_equal_scipys_on_tied_profiles():
    # few codes and many informants: most distances tie, which is where merge order matters
    rng = np.random.default_rng(0)
    compared = 0
    for _ in range(600):
        x = random_profiles(rng)
        d = pdist(x, metric="jaccard")
        if np.all(d == 0):
            continue
        z = linkage(d, method="average")
        merges = average_linkage(squareform(d))
        assert [h for _, _, h in merges] == z[:, 2].tolist()
        for k in range(2, len(x) + 2):
            assert partition(flat_clusters(merges, len(x), k)) == partition(fcluster(z, k, criterion="maxclust"))
            compared += 1
    assert compared > 5000


def test_tied_heights_are_cut_together_as_scipy_cuts_them():
    # three identical profiles and one apart: asking for 3 clusters gives 2, as in scipy
    x = np.array([[1, 0], [1, 0], [1, 0], [0, 1]], dtype=bool)
    merges = average_linkage(jaccard_distances(x))
    assert [h for _, _, h in merges] == [0.0, 0.0, 1.0]
    assert partition(flat_clusters(merges, 4, 3)) == [(0, 1, 2), (3,)]
    assert partition(fcluster(linkage(pdist(x, "jaccard"), "average"), 3, "maxclust")) == [(0, 1, 2), (3,)]


def scipy_linkage(square, method):
    z = linkage(squareform(square, checks=False), method=method)
    return lambda kk: fcluster(z, kk, criterion="maxclust")


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory):
    from conftest import reviewed_demo

    project = reviewed_demo(tmp_path_factory.mktemp("clustering"))
    try:
        yield project.codings(), project.informants(), project.codebook(), project.segments()
    finally:
        project.close()


@pytest.mark.parametrize("level", ["code", "theme"])
@pytest.mark.parametrize("k", [None, 2, 3, 4])
def test_demo_study_types_are_the_same_as_with_scipy(demo_frames, monkeypatch, level, k):
    codings, informants, codebook, segments = demo_frames

    def types():
        t = cluster_types(codings, informants, codebook, k=k, level=level, segments=segments)
        return [t.members(name) for name in t.names()], t.silhouette

    ours = types()
    monkeypatch.setattr(typology, "_linkage", scipy_linkage)
    assert types() == ours
    assert len(ours[0]) >= 2
