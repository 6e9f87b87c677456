"""Step labels of an uploaded file (its dates) on the stepper, run headless with AppTest: the
step lines the browser stepper draws (its per-step data) name each step, the over-time plot's
axis and current-step mark carry the labels, they last through reruns and preset switches, and
a link never carries them."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
from apptest import browser_markdown, browser_stepper, errors, run_app, step_to
from apptest import step_line as stepper_line

from engine.uploads import example

DAYS = pd.date_range("2024-03-01", periods=10, freq="D").strftime("%Y-%m-%d").tolist()


def dated_csv() -> bytes:
    """Ten dated steps of three inputs (the lecture LSTM's width)."""
    k = np.arange(10)
    frame = pd.DataFrame({"date": DAYS, "x1": k + 1.0, "x2": (k % 2).astype(float),
                          "x3": (k % 3 == 0).astype(float)})
    return frame.to_csv(index=False).encode()


def step_line(at) -> str:
    """The "Step k of T" line the browser stepper shows, as a reader sees it (no bold marks)."""
    return stepper_line(at).replace("**", "")


def sent_lines(at) -> list[str]:
    """Every step line the browser stepper received (it steps through them without Python)."""
    data = browser_stepper(at)
    return [browser_markdown(line).replace("**", "") for line in data["lines"]]


def timeline_spec(at) -> dict:
    """The over-time figure (the chart with the current-step annotation)."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if any(a.get("name") == "current-step-label"
                                        for a in s["layout"].get("annotations", [])))


def bottom_axis(spec: dict) -> dict:
    """The x axis under the bottom row (the one titled "step", which shows its tick labels)."""
    (axis,) = [v for k, v in spec["layout"].items()
               if k.startswith("xaxis") and v.get("title", {}).get("text") == "step"]
    return axis


def upload_dated(at):
    at.file_uploader(key="upload.stepper_seq.file").set_value(
        ("weather.csv", dated_csv(), "text/csv")).run()
    assert not at.exception and not errors(at)
    return at


def test_the_step_line_and_time_axis_name_each_uploaded_step_by_its_date():
    at = upload_dated(run_app("views/stepper.py", timeout=120))
    assert step_line(at).startswith("Step 1 of 10 · 2024-03-01 · input x = [1, 0, 1]")
    # the browser steps on its own: every step it was sent is named by its date
    lines = sent_lines(at)
    assert len(lines) == len(DAYS)
    for k, (line, day) in enumerate(zip(lines, DAYS, strict=True)):
        assert line.startswith(f"Step {k + 1} of 10 · {day} · input x = [{k + 1}, "), line
    step_to(at, 3)
    assert step_line(at).startswith("Step 3 of 10 · 2024-03-03 · input x = [3, 0, 0]")
    at.session_state["stepper.tab"] = "Over time"
    at.run()
    assert not at.exception
    spec = timeline_spec(at)
    axis = bottom_axis(spec)
    assert axis["tickvals"][0] == 1  # the first step is always named
    for value, text in zip(axis["tickvals"], axis["ticktext"], strict=True):
        assert text == f"{value}<br>{DAYS[value - 1]}"
    mark = next(a for a in spec["layout"]["annotations"]
                if a.get("name") == "current-step-label")
    assert "2024-03-03" in mark["text"] and "step 3" in mark["text"]
    hover = next(d for d in spec["data"] if d.get("hovertemplate"))
    assert "%{customdata}" in hover["hovertemplate"]


def test_labels_last_through_a_preset_switch_and_stay_out_of_the_link():
    at = upload_dated(run_app("views/stepper.py", timeout=120))
    link = {k: at.query_params[k] for k in at.query_params}
    assert link["seq"] == "custom" and "x" in link
    assert not any("2024" in v for v in link.values()), link
    at.selectbox(key="seq.preset").set_value("lecture").run()
    assert step_line(at).startswith("Step 1 of 9 · input x")
    at.selectbox(key="seq.preset").set_value("custom").run()
    assert not at.exception
    assert step_line(at).startswith("Step 1 of 10 · 2024-03-01")
    # a link with the same numbers opens without the dates
    opened = run_app("views/stepper.py", timeout=120, **link)
    assert step_line(opened).startswith("Step 1 of 10 · input x = [1, 0, 1]")
    # a pasted sequence replaces the file, and its dates with it
    at.text_area(key="seq.paste").input("1, 0, 0\n2, 1, 0\n3, 0, 1").run()
    at.button(key="seq.paste_use").click().run()
    assert not at.exception
    assert step_line(at).startswith("Step 1 of 3 · input x = [1, 0, 0]")


def test_a_dated_file_of_another_width_keeps_its_dates_through_the_switch():
    name, data = example("dated")  # date, temp, humidity: two inputs a step
    dates = pd.read_csv(io.BytesIO(data))["date"].tolist()
    at = run_app("views/stepper.py", timeout=120)
    at.file_uploader(key="upload.stepper_seq.file").set_value((name, data, "text/csv")).run()
    assert any("reads 3" in e or "3 inputs" in e for e in errors(at)), errors(at)
    switch = next(b for b in at.button if b.label.startswith("Step dated"))
    switch.click().run()
    assert not at.exception and not errors(at)
    step_to(at, browser_stepper(at)["steps"])
    assert step_line(at).startswith(f"Step {len(dates)} of {len(dates)} · {dates[-1]} · input")
    lines, first = sent_lines(at), browser_stepper(at)["first"]
    for line, day in zip(lines, dates[first:first + len(lines)], strict=True):
        assert f" · {day} · input" in line, line


def test_a_long_dated_sequence_names_every_kth_step_and_every_hover():
    import torch

    from engine.trace import trace
    from figures.timeline import move_step, state_heatmaps, state_lines

    days = pd.date_range("2023-01-01", periods=365, freq="D").strftime("%Y-%m-%d").tolist()
    torch.manual_seed(0)
    with torch.no_grad():
        tr = trace(torch.nn.LSTM(2, 6), torch.randn(365, 2))
    for build in (state_heatmaps, state_lines):
        fig = move_step(build(tr, 0, step_labels=days), 99)
        axis = next(a for a in fig.layout if a.startswith("xaxis")
                    and fig.layout[a].title.text == "step")
        values, texts = list(fig.layout[axis].tickvals), list(fig.layout[axis].ticktext)
        gaps = {b - a for a, b in zip(values, values[1:], strict=False)}
        assert values[0] == 1 and len(gaps) == 1 and 4 <= len(values) <= 20, values
        assert texts == [f"{v}<br>{days[v - 1]}" for v in values]
        for data in fig.data:  # every step keeps its date on hover
            hover = np.asarray(data.customdata).reshape(-1, 365)
            assert (hover == np.asarray(days)).all()
        mark = next(a for a in fig.layout.annotations if a.name == "current-step-label")
        assert mark.text == "<b>step 100</b> · 2023-04-10"


def test_forty_dates_fit_under_the_chart_without_turning():
    """40 dated steps on the stepper's plot area (about 850 px wide at 1400 px, measured in
    Chromium): the named ones, 10 characters of 12 px type (about 7 px each) plus a gap, fit
    side by side, so plotly keeps them level instead of slanting them into each other."""
    import torch

    from engine.trace import trace
    from figures.timeline import state_lines

    days = pd.date_range("2024-03-01", periods=40, freq="D").strftime("%Y-%m-%d").tolist()
    with torch.no_grad():
        tr = trace(torch.nn.LSTM(3, 1), torch.ones(40, 3))
    fig = state_lines(tr, 0, step_labels=days)
    named = next(fig.layout[a].tickvals for a in fig.layout if a.startswith("xaxis")
                 and fig.layout[a].title.text == "step")
    assert len(named) * (10 + 1) * 7 <= 850, named
    assert len(named) >= 8  # and still a date every few steps
