"""The upload widgets with real-world tables (AppTest, the gradient lab's own-model tab): a
table with gaps is refused with the "fill gaps" choice, which fills them; the notes and the
table as read are shown; a long-format file gets a sequence picker naming its sequences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from apptest import errors, run_app
from safetensors.torch import save as save_safetensors

OCTET = "application/octet-stream"


def gradient_page_with_model(inputs: int):
    at = run_app("views/gradients.py", timeout=120)
    at.radio(key="grad.source").set_value("own").run()
    torch.manual_seed(0)
    model = torch.nn.LSTM(inputs, 4)
    at.file_uploader(key="upload.grad_model.file").set_value(
        ("m.safetensors", save_safetensors(model.state_dict()), OCTET)).run()
    assert not at.exception and not errors(at)
    return at


def captions(at) -> str:
    """Every caption as a user reads it (markdown escapes removed)."""
    return " ".join(c.value.replace("\\", "") for c in at.caption)


def test_gaps_are_refused_then_filled_with_notes_and_a_preview():
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=6, freq="D").strftime(
        "%Y-%m-%d"), "temp": [3.0, np.nan, 5.0, 6.0, 7.0, np.nan],
        "humidity": [80.0, 81.0, 82.0, np.nan, 84.0, 85.0]})
    at = gradient_page_with_model(2)
    at.file_uploader(key="upload.grad_seq.file").set_value(
        ("gaps.csv", df.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception
    (message,) = errors(at)
    assert "line 3, column 2 (“temp”) is empty" in message and "fill gaps" in message
    at.checkbox(key="upload.grad_seq.fill").check().run()
    assert not at.exception and not errors(at)
    text = captions(at)
    assert "Filled 3 missing cells" in text and "“date”" in text
    shown = next(d.value for d in at.dataframe if "temp" in d.value.columns)
    assert list(shown.index) == list(df["date"])
    expected = df[["temp", "humidity"]].interpolate(limit_direction="both")
    np.testing.assert_allclose(shown.to_numpy(), expected.to_numpy(), rtol=1e-6)


def test_long_format_gets_a_picker_of_its_sequences():
    rows = [(name, t, float(t) * k) for k, (name, n) in enumerate((("up", 4), ("down", 6)), 1)
            for t in range(n)]
    data = pd.DataFrame(rows, columns=["seq_id", "t", "value"]).to_csv(index=False).encode()
    at = gradient_page_with_model(1)
    at.file_uploader(key="upload.grad_seq.file").set_value(("runs.csv", data, "text/csv")).run()
    assert not at.exception and not errors(at)
    picker = at.selectbox(key="upload.grad_seq.pick")
    assert picker.options == ["runs[up] (4 steps × 1)", "runs[down] (6 steps × 1)"]
    picker.set_value(1).run()
    assert not at.exception and not errors(at)
    shown = next(d.value for d in at.dataframe if "value" in d.value.columns)
    np.testing.assert_array_equal(shown["value"].to_numpy(), 2.0 * np.arange(6))
    assert "long format" in captions(at)


def test_stepper_picks_a_sequence_of_a_long_file_and_fills_gaps():
    from engine.uploads import example

    at = run_app("views/stepper.py", timeout=120)
    at.selectbox(key="seq.preset").set_value("custom").run()
    name, data = example(".xlsx")  # two sequences of x1, x2, x3: walkthrough and reversed
    at.file_uploader(key="upload.stepper_seq.file").set_value((name, data, OCTET)).run()
    assert not at.exception and not errors(at)
    picker = at.selectbox(key="upload.stepper_seq.pick")
    assert picker.options == ["example[walkthrough] (5 steps × 3)",
                              "example[reversed] (5 steps × 3)"]
    picker.set_value(1).run()
    assert not at.exception and not errors(at)
    walk = parse_rows(example(".csv")[1])
    assert [list(r) for r in at.session_state["stepper.current"][2]] == walk[::-1]
    assert "long format" in captions(at)
    gaps = b"date,x1,x2,x3\n2024-01-01,1,0,0\n2024-01-02,,1,0\n2024-01-03,3,0,1\n"
    at.file_uploader(key="upload.stepper_seq.file").set_value(("g.csv", gaps, "text/csv")).run()
    assert any("line 3, column 2 (“x1”) is empty" in e for e in errors(at))
    at.checkbox(key="upload.stepper_seq.fill").check().run()
    assert not at.exception and not errors(at)
    assert [list(r) for r in at.session_state["stepper.current"][2]] == [[1, 0, 0], [2, 1, 0],
                                                                         [3, 0, 1]]
    assert "steps labelled 2024-01-01 … 2024-01-03" in captions(at)


def parse_rows(data: bytes) -> list[list[float]]:
    lines = data.decode().split()[1:]
    return [[float(v) for v in line.split(",")] for line in lines]
