"""Resolving all coders' codings to the one the analyses count, per segment and code."""
import pandas as pd

from qualcode.coding.resolve import resolve_codings


def frame(rows):
    cols = ["segment_id", "code_id", "coder", "status", "created_at"]
    df = pd.DataFrame(rows, columns=cols)
    return df.assign(source="s.txt", start=df["segment_id"] * 10,
                     segment_text="Kappale " + df["segment_id"].astype(str))


def test_consensus_then_project_coder_then_newest_then_auto():
    df = frame([(1, "a", "auto", "suggested", "1"), (1, "a", "matti", "rejected", "3"),
                (1, "a", "liisa", "accepted", "2"),                     # the project's coder beats matti
                (2, "a", "liisa", "rejected", "2"), (2, "a", "consensus", "accepted", "1"),
                (3, "a", "matti", "accepted", "1"), (3, "a", "maija", "manual", "2"),   # the newest
                (4, "a", "auto", "suggested", "1")])
    out = resolve_codings(df, "liisa")
    assert out[["segment_id", "coder", "status"]].values.tolist() == [
        [1, "liisa", "accepted"], [2, "consensus", "accepted"], [3, "maija", "manual"]]
    assert out["quote"].tolist() == ["Kappale 1", "Kappale 2", "Kappale 3"]
    assert resolve_codings(df, "matti")["segment_id"].tolist() == [2, 3]   # matti's rejection wins


def test_suggestions_only_on_request_and_coders_filter():
    df = frame([(1, "a", "auto", "suggested", "1"), (2, "b", "auto", "suggested", "1"),
                (2, "b", "liisa", "rejected", "2"), (3, "c", "matti", "manual", "2")])
    assert resolve_codings(df, "liisa")["code_id"].tolist() == ["c"]
    assert resolve_codings(df, "liisa", include_suggested=True)["code_id"].tolist() == ["a", "c"]
    # without liisa her rejection does not count and the suggestion comes back
    assert resolve_codings(df, "liisa", include_suggested=True, coders=["matti"])["code_id"].tolist() == [
        "a", "b", "c"]
    assert resolve_codings(df.iloc[:0], "liisa").empty
