"""Your own files in every lab, run headless with Streamlit's AppTest against the real engine:
uploads become what the page shows; bad files give an st.error and the page keeps going."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from apptest import errors, run_app, step_line
from safetensors.torch import save as save_safetensors
from streamlit.testing.v1 import AppTest

from engine.gradients import hidden_grad_norms
from engine.uploads import example
from figures.gradients import sci

OCTET = "application/octet-stream"


def page(path: str) -> AppTest:
    return run_app(path, timeout=120)


def lstm_file(seed: int = 0, prefix: str = "rnn.") -> tuple[torch.nn.LSTM, bytes]:
    torch.manual_seed(seed)
    model = torch.nn.LSTM(3, 5)
    return model, save_safetensors({prefix + k: v for k, v in model.state_dict().items()})


def test_gradient_lab_norms_of_your_own_model_and_sequence():
    at = page("views/gradients.py")
    at.radio(key="grad.source").set_value("own").run()
    assert any("Upload a trained" in i.value for i in at.info)
    torch.manual_seed(2)
    model = torch.nn.GRU(3, 8, num_layers=2)
    at.file_uploader(key="upload.grad_model.file").set_value(
        ("gru.safetensors", save_safetensors(model.state_dict()), OCTET)).run()
    assert not at.exception and not errors(at)
    name, data = example(".csv")
    at.file_uploader(key="upload.grad_seq.file").set_value((name, data, "text/csv")).run()
    assert not at.exception and not errors(at)
    table = next(df.value for df in at.dataframe if "going back" in df.value.columns)
    x = torch.tensor(np.loadtxt(data.decode().splitlines(), delimiter=",", skiprows=1),
                     dtype=torch.float32)
    want = hidden_grad_norms(model, x).hidden
    assert table["gradient"].iloc[0] == "‖∂L/∂h_t‖"
    assert table["at t = 1"].iloc[0] == sci(np.log10(float(want[0])))
    assert table["at t = T"].iloc[0] == sci(np.log10(float(want[-1])))
    # a sequence of another width and a broken model: messages, and the page carries on
    at.file_uploader(key="upload.grad_seq.file").set_value(("w.csv", b"1,2\n3,4\n",
                                                            "text/csv")).run()
    assert any("2 features per step, but the model reads 3" in e for e in errors(at))
    at.file_uploader(key="upload.grad_model.file").set_value(("bad.pt", b"junk", OCTET)).run()
    assert not at.exception
    assert any("not a torch.save zip file" in e for e in errors(at))


def test_ctc_lab_reads_your_own_strip_and_posteriors():
    at = page("views/ctc.py")
    name, data = example(".png")
    at.file_uploader(key="upload.ctc_strip.file").set_value((name, data, "image/png")).run()
    assert not at.exception and not errors(at)
    reading = next(m.value for m in at.metric if m.label == "Your strip: greedy reading")
    assert reading == "2026"
    at.file_uploader(key="upload.ctc_strip.file").set_value(("cut.png", data[:70],
                                                             "image/png")).run()
    assert not at.exception
    assert any("cut-short PNG" in e.replace("\\", "") for e in errors(at))  # (markup.md)
    greedy = next(m.value for m in at.metric if m.label == "Greedy reading")
    assert greedy == "2024"  # the generated strip above is untouched
    at.file_uploader(key="upload.ctc_strip.file").set_value(None).run()
    assert not errors(at)
    probs = np.array([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    at.file_uploader(key="ctc.upload").set_value(
        ("p.json", str(probs.tolist()).encode(), "application/json")).run()
    assert not at.exception and not errors(at)
    value = float(next(m.value for m in at.metric if m.label.startswith("log p(target")))
    from engine import ctc

    assert value == pytest.approx(ctc.lattice(np.log(probs), [1, 2]).log_likelihood, abs=1e-6)


def test_stepper_steps_your_own_model_through_your_own_sequence():
    at = page("views/stepper.py")
    at.selectbox(key="picker.model").set_value("own").run()
    assert not at.exception
    model, data = lstm_file()
    at.file_uploader(key="upload.stepper_model.file").set_value(("m.safetensors", data,
                                                                 OCTET)).run()
    assert not at.exception and not errors(at)
    name, seq = example(".npy")
    at.file_uploader(key="upload.stepper_seq.file").set_value((name, seq, OCTET)).run()
    assert not at.exception and not errors(at)
    choice, _, steps = at.session_state["stepper.current"]
    assert choice.kind == "own" and choice.cell == "lstm"
    x = torch.tensor(steps)
    assert x.shape == (5, 3)
    import resources

    with torch.no_grad():
        expected, _ = model(x)
    got = resources.get_trace(choice, None, steps).hidden
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)
    assert step_line(at).startswith("**Step 1 of 5**")  # the browser stepper's step line
    # the page's link keeps the sequence and asks whoever opens it for the model file
    link = {k: at.query_params[k] for k in at.query_params}
    assert link["model"] == "own" and link["seq"] == "custom" and link["step"] == "1", link
    assert any("never the model file" in c.value for c in at.caption)
    opened = run_app("views/stepper.py", timeout=120, **link)
    assert opened.selectbox(key="picker.model").value == "own"
    assert any(u.label.startswith("Upload your trained") for u in opened.get("file_uploader"))
    assert any("lecture's LSTM is shown" in c.value for c in opened.caption)
    # a bad model: the error shows and the last good model stays
    at.file_uploader(key="upload.stepper_model.file").set_value(("m.safetensors", b"\0" * 9,
                                                                 OCTET)).run()
    assert not at.exception
    assert any("header size" in e for e in errors(at))
    assert at.session_state["stepper.current"][0] == choice
    # a text file for a model that reads numbers
    at.file_uploader(key="upload.stepper_seq.file").set_value(("t.json", b'["a", "b"]',
                                                               "application/json")).run()
    assert any("holds text" in e for e in errors(at))
    assert at.session_state["stepper.current"][2] == steps
