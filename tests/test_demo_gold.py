"""Automatic coding of the demo study measured against the researcher's gold coding
(corpora/asiakaskokemus/gold/, made by reading, not by running qualcode)."""
import shutil
from pathlib import Path

import pytest

from qualcode.coding.evaluate import attach_segments, read_gold, score_sets
from qualcode.project import Project

from baselines import substring_baseline

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpora" / "asiakaskokemus" / "gold" / "gold_coding.csv"


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gold") / "study"
    shutil.copytree(ROOT / "corpora" / "asiakaskokemus", folder, ignore=shutil.ignore_patterns(".qualcode"))
    (folder / "codebooks").mkdir(exist_ok=True)
    shutil.copy(ROOT / "codebooks" / "asiakaskokemus_fi.yaml", folder / "codebooks" / "koodit.yaml")
    project = Project(folder)
    project.ingest([folder / "transcripts"])
    project.code()
    yield project
    project.close()


def test_gold_covers_a_third_of_the_segments(coded):
    gold = attach_segments(read_gold(GOLD), coded.segments(), path=str(GOLD))
    segs = coded.segments()
    informant_segments = segs[~segs["is_interviewer"]]
    assert len(gold) >= len(informant_segments) / 3
    assert set().union(*gold["code_set"]) <= {c.id for c in coded.codebook()}


def test_lemma_coding_beats_substring_matching_on_the_gold(coded, record_property):
    exact = coded.coding.evaluate(GOLD).set_index("code_id").loc["__micro__"]
    themes = coded.coding.evaluate(GOLD, level="theme").set_index("code_id").loc["__micro__"]
    gold = attach_segments(read_gold(GOLD), coded.segments(), path=str(GOLD))
    cb = coded.codebook()
    baseline = score_sets({int(s): set(c) for s, c in zip(gold["segment_id"], gold["code_set"])},
                          {int(s): substring_baseline(cb, t) for s, t in zip(gold["segment_id"], gold["text"])})
    base = baseline.set_index("code_id").loc["__micro__"]
    for name, value in (("micro_f1", exact["f1"]), ("micro_f1_theme", themes["f1"]),
                        ("micro_f1_substring", base["f1"])):
        record_property(name, round(float(value), 3))
    print(f"\ndemo gold: micro-F1 {exact['f1']:.3f} (P {exact['precision']:.3f}, R {exact['recall']:.3f}); "
          f"themes {themes['f1']:.3f}; substring baseline {base['f1']:.3f}")
    assert exact["f1"] > base["f1"]
    # a floor just under the figure measured when the gold was made (0.30 exact, 0.52 themes):
    # a change that makes coding worse fails here
    assert exact["f1"] >= 0.27 and themes["f1"] >= 0.47


def test_evaluate_command(coded, cli):
    code, out = cli(["--project", coded.root, "evaluate", GOLD])
    assert code == 0 and "micro-F1 0.3" in out
    code, out = cli(["--project", coded.root, "evaluate", GOLD, "--level", "theme"])
    assert code == 0 and "micro-F1 0.5" in out
    code, out = cli(["--project", coded.root, "evaluate", coded.root / "puuttuu.csv"])
    assert code == 2 and "puuttuu.csv: the gold file does not exist" in out
