"""Tables as people have them, written by the tools that write them (pandas to_csv / to_excel /
to_parquet): dates label the steps, long format splits into sequences, pandas' index and text
columns are not features, European CSVs, gaps refused or filled. Each test checks the values,
labels, sequences and notes against the DataFrame that was written."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from engine.uploads import (
    MAX_COLUMNS,
    MAX_SEQUENCES,
    MAX_TABLE_CELLS,
    MAX_TABLE_ROWS,
    UploadError,
    example,
    parse,
)


def weather(n: int = 12) -> pd.DataFrame:
    k = np.arange(n)
    return pd.DataFrame({
        "date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "temp": np.round(3.2 + 2.5 * np.sin(k / 2.0), 2),
        "humidity": np.round(80.0 - 1.5 * k, 1),
    })


def long_frame(seed: int = 0) -> pd.DataFrame:
    """Three sequences (lengths 4, 7, 5) of two values a step, one row a step."""
    rng = np.random.default_rng(seed)
    parts = []
    for name, n in (("walk", 4), ("run", 7), ("rest", 5)):
        parts.append(pd.DataFrame({"seq_id": name, "t": np.arange(n),
                                   "speed": np.round(rng.normal(size=n), 3),
                                   "pulse": np.round(60 + 10 * rng.random(n), 1)}))
    return pd.concat(parts, ignore_index=True)


def csv_bytes(frame: pd.DataFrame, **kw) -> bytes:
    return frame.to_csv(**kw).encode("utf-8")


def test_a_date_column_labels_the_steps_and_is_not_a_feature():
    df = weather()
    (seq,) = parse(csv_bytes(df, index=False), "weather.csv")
    np.testing.assert_array_equal(seq.values, df[["temp", "humidity"]].to_numpy(np.float32))
    assert seq.labels == list(df["date"])
    assert seq.columns == ["temp", "humidity"]
    assert any("“date”" in n and "label the steps" in n for n in seq.notes)


def test_a_dated_csv_without_header_and_with_times():
    df = weather(5)
    df["date"] = pd.date_range("2024-05-01 08:00", periods=5, freq="30min").strftime(
        "%d/%m/%Y %H:%M")
    (seq,) = parse(csv_bytes(df, index=False, header=False), "w.csv")
    assert seq.labels == list(df["date"])
    np.testing.assert_array_equal(seq.values, df[["temp", "humidity"]].to_numpy(np.float32))


def test_european_csv_semicolons_and_decimal_commas():
    df = weather().drop(columns="date")
    data = csv_bytes(df, index=False, sep=";", decimal=",")
    assert b"3,2;80" in data  # written the way Excel writes it in much of Europe
    (seq,) = parse(data, "europe.csv")
    np.testing.assert_array_equal(seq.values, df.to_numpy(np.float32))
    assert any("semicolons" in n and "decimal commas" in n for n in seq.notes)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_every_delimiter_with_bom_crlf_and_quotes(sep):
    df = weather(6)
    text = df.to_csv(index=False, sep=sep, lineterminator="\r\n", quoting=1)  # QUOTE_ALL
    (seq,) = parse(text.encode("utf-8-sig"), "q.csv")
    np.testing.assert_array_equal(seq.values, df[["temp", "humidity"]].to_numpy(np.float32))
    assert seq.labels == list(df["date"])


def test_pandas_index_column_is_dropped():
    df = weather().drop(columns="date")
    data = csv_bytes(df)  # to_csv's default: the index first, under an empty header cell
    assert data.startswith(b",temp,humidity")
    (seq,) = parse(data, "indexed.csv")
    np.testing.assert_array_equal(seq.values, df.to_numpy(np.float32))
    assert seq.columns == ["temp", "humidity"]
    assert any("row index" in n for n in seq.notes)


def test_long_format_splits_into_sequences_in_the_order_of_t():
    df = long_frame()
    shuffled = df.sample(frac=1.0, random_state=3)  # rows of a sequence out of order
    shuffled = shuffled.sort_values("seq_id", kind="stable", key=lambda s: s.map(
        {"walk": 0, "run": 1, "rest": 2}))
    seqs = parse(csv_bytes(shuffled, index=False), "runs.csv")
    assert [s.name for s in seqs] == ["runs[walk]", "runs[run]", "runs[rest]"]
    for s, (_, block) in zip(seqs, df.groupby("seq_id", sort=False), strict=True):
        np.testing.assert_array_equal(s.values, block[["speed", "pulse"]].to_numpy(np.float32))
        assert s.columns == ["speed", "pulse"]
    notes = " ".join(seqs[0].notes)
    assert "“seq_id”" in notes and "3 sequences" in notes and "“t”" in notes


def test_long_format_with_a_text_column_in_runs_and_dates():
    df = long_frame().rename(columns={"seq_id": "patient"}).drop(columns="t")
    df.insert(1, "day", pd.date_range("2024-02-01", periods=len(df), freq="D").strftime(
        "%Y-%m-%d"))
    seqs = parse(csv_bytes(df, index=False), "ward.csv")
    assert len(seqs) == 3
    assert seqs[1].labels == list(df[df.patient == "run"]["day"])
    assert "“patient”" in " ".join(seqs[0].notes)


def test_other_text_columns_and_row_ids_are_dropped():
    df = weather(6).drop(columns="date")
    df.insert(0, "id", np.arange(100, 106))
    df["comment"] = [f"note {k} about the day" for k in range(6)]
    (seq,) = parse(csv_bytes(df, index=False), "notes.csv")
    np.testing.assert_array_equal(seq.values, df[["temp", "humidity"]].to_numpy(np.float32))
    notes = " ".join(seq.notes)
    assert "“id”" in notes and "row id" in notes and "“comment”" in notes


def test_a_step_column_that_is_not_a_counter_stays_a_feature():
    df = pd.DataFrame({"time": [0.0, 0.5, 1.25], "x": [1.0, 2.0, 3.0]})
    (seq,) = parse(csv_bytes(df, index=False), "t.csv")
    np.testing.assert_array_equal(seq.values, df.to_numpy(np.float32))


def test_missing_cells_are_refused_with_their_place_then_filled_on_request():
    df = weather(8).drop(columns="date")
    df.loc[0, "temp"] = np.nan  # an end: the nearest value
    df.loc[3, "temp"] = np.nan  # inside: linear
    df.loc[4, "temp"] = np.nan
    df.loc[7, "humidity"] = np.nan
    data = csv_bytes(df, index=False)  # pandas writes a missing value as an empty cell
    with pytest.raises(UploadError) as err:
        parse(data, "gaps.csv")
    message = str(err.value)
    assert "line 2, column 1 (“temp”) is empty" in message and "fill gaps" in message
    (seq,) = parse(data, "gaps.csv", fill="interpolate")
    expected = df.interpolate(method="linear", limit_direction="both").to_numpy(np.float32)
    np.testing.assert_allclose(seq.values, expected, rtol=1e-6)
    assert seq.values[3, 0] == pytest.approx((df.temp[2] * 2 + df.temp[5]) / 3, rel=1e-6)
    assert any("Filled 4 missing cells" in n for n in seq.notes)


def test_filling_stays_inside_each_sequence():
    df = long_frame()
    df.loc[4, "speed"] = np.nan  # the first step of "run": its nearest value is in "run"
    seqs = parse(csv_bytes(df, index=False), "g.csv", fill="interpolate")
    assert seqs[1].values[0, 0] == pytest.approx(df.speed[5])


def test_unknown_fill_is_refused():
    with pytest.raises(UploadError, match="interpolate"):
        parse(b"1\n2\n", "a.csv", fill="zeros")


def test_parquet_from_pandas_with_dates_and_long_format():
    df = weather()
    df["date"] = pd.to_datetime(df["date"])
    buf = io.BytesIO()
    df.to_parquet(buf)
    (seq,) = parse(buf.getvalue(), "w.parquet")
    np.testing.assert_array_equal(seq.values, df[["temp", "humidity"]].to_numpy(np.float32))
    assert seq.labels == list(df["date"].dt.strftime("%Y-%m-%d"))
    long = long_frame()
    buf = io.BytesIO()
    long.to_parquet(buf)
    seqs = parse(buf.getvalue(), "l.parquet")
    assert [s.steps for s in seqs] == [4, 7, 5]
    np.testing.assert_array_equal(seqs[2].values, long[long.seq_id == "rest"][
        ["speed", "pulse"]].to_numpy(np.float32))


def test_parquet_with_a_date_index():
    df = weather().set_index(pd.to_datetime(weather()["date"])).drop(columns="date")
    buf = io.BytesIO()
    df.to_parquet(buf)
    (seq,) = parse(buf.getvalue(), "ix.parquet")
    assert seq.labels[0] == "2024-01-01" and seq.features == 2


def test_excel_first_sheet_with_dates_gaps_and_long_format():
    df = weather()
    df["date"] = pd.to_datetime(df["date"])
    df.loc[5, "humidity"] = np.nan
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as writer:
        df.to_excel(writer, sheet_name="first", index=False)
        long_frame().to_excel(writer, sheet_name="second", index=False)
    with pytest.raises(UploadError, match=r"row 7, column C \(“humidity”\) is empty"):
        parse(buf.getvalue(), "w.xlsx")
    (seq,) = parse(buf.getvalue(), "w.xlsx", fill="interpolate")
    expected = df[["temp", "humidity"]].interpolate().to_numpy(np.float32)
    np.testing.assert_allclose(seq.values, expected, rtol=1e-6)
    assert seq.labels == list(df["date"].dt.strftime("%Y-%m-%d"))
    buf = io.BytesIO()
    long_frame().to_excel(buf)  # with pandas' index column
    seqs = parse(buf.getvalue(), "l.xlsx")
    assert [s.steps for s in seqs] == [4, 7, 5]
    assert any("row index" in n for n in seqs[0].notes)


def test_every_new_example_reads_as_it_says():
    dated = parse(*reversed(example("dated")))
    assert dated[0].labels[0] == "2024-01-01"
    assert len(parse(*reversed(example("long")))) == 3
    assert "decimal commas" in " ".join(parse(*reversed(example("european")))[0].notes)
    assert parse(*reversed(example(".parquet")))[0].labels is not None
    assert len(parse(*reversed(example(".xlsx")))) == 2


# -- limits: one past each gets its message ------------------------------------------------------


def test_table_limits_are_checked_before_reading():
    rows = ("1\n" * (MAX_TABLE_ROWS + 2)).encode()
    with pytest.raises(UploadError, match=f"at most {MAX_TABLE_ROWS:,} are read"):
        parse(rows, "rows.csv")
    wide = (",".join(["1"] * (MAX_COLUMNS + 1)) + "\n").encode()
    with pytest.raises(UploadError, match="1,024 features"):
        parse(wide, "wide.csv")
    cols = 64
    many = ((",".join(["1"] * cols) + "\n") * (MAX_TABLE_CELLS // cols + 1)).encode()
    with pytest.raises(UploadError, match=f"at most {MAX_TABLE_CELLS:,} cells"):
        parse(many, "cells.csv")
    groups = "id,v\n" + "".join(f"{k},1\n{k},2\n" for k in range(MAX_SEQUENCES + 1))
    with pytest.raises(UploadError, match=f"{MAX_SEQUENCES + 1:,} sequences; at most"):
        parse(groups.encode(), "groups.csv")


def test_a_stray_word_in_a_column_of_numbers_is_refused_with_its_place():
    with pytest.raises(UploadError, match=r"line 3, column 2 \(“b”\) is 'oops'"):
        parse(b"a,b\n1,2\n3,oops\n4,5\n", "typo.csv")


def test_ten_thousand_by_sixty_four_parses_exactly():
    """(Its speed is bench/uploads.py's job: a timed unit test flakes on a loaded machine.)"""
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(10_000, 64)).astype(np.float32),
                      columns=[f"x{k + 1}" for k in range(64)])
    data = df.to_csv(index=False, float_format="%.7g").encode()
    (seq,) = parse(data, "big.csv")
    np.testing.assert_allclose(seq.values, df.to_numpy(), rtol=1e-6)


def test_a_ragged_comma_table_is_refused_not_read_as_one_tab_column():
    with pytest.raises(UploadError, match="line 2 has 1 column but line 1 has 2"):
        parse(b"0.5,0.5\n0.5\n", "ragged.csv")
