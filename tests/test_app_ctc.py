"""The CTC lab page, run headless with Streamlit's AppTest against the real engine."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from apptest import errors, run_app
from streamlit.testing.v1 import AppTest

from components import ctc_controls
from engine import ctc, digits
from engine.uploads import example

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = sorted((ROOT / "pretrained" / "ctc_digits").glob("epoch_*.json"))


@pytest.fixture
def at() -> AppTest:
    return run_app("views/ctc.py", timeout=120)


def shown(markdown: str) -> str:
    """What escaped markdown (markup.md) shows: the text without its backslash escapes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def messages(at: AppTest) -> list[str]:
    """The text every st.error on the page shows."""
    return [shown(e) for e in errors(at)]


def metric(at: AppTest, prefix: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(prefix))


def count(at: AppTest) -> int:
    return int(metric(at, "Valid alignments").replace(",", ""))


def animations(at: AppTest) -> list[dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return [spec for spec in specs if spec.get("frames")]


def test_the_count_is_the_engines_and_follows_the_target_and_t(at):
    labels, _ = ctc.encode_text("好棒棒")
    assert count(at) == ctc.count_alignments(8, labels) == 210
    at.number_input(key="ctc.T").set_value(10).run()
    assert count(at) == ctc.count_alignments(10, labels) != 210
    at.text_input(key="ctc.target").set_value("hello").run()
    assert count(at) == ctc.count_alignments(10, ctc.encode_text("hello")[0])
    at.number_input(key="ctc.T").set_value(1000).run()  # a 52-digit count, shown exactly
    exact = ctc.count_alignments(1000, ctc.encode_text("hello")[0])
    assert metric(at, "Valid alignments").startswith("≈ ")
    assert str(exact) in [c.value for c in at.code]
    assert not at.exception and not errors(at)


def test_alignments_are_listed_a_page_at_a_time(at):
    table = at.dataframe(key="ctc.alignments").value
    first = list(ctc.alignments(8, [1, 2, 2]))[:40]
    assert len(table) == 20 and list(table["#"]) == list(range(1, 21))
    assert list(table["frame path"]) == [
        " ".join(ctc.decode_labels(p, ["φ", "好", "棒"])) for p in first[:20]]
    assert set(table["collapses to"]) == {"好棒棒"}
    at.number_input(key="ctc.page").set_value(2).run()
    table = at.dataframe(key="ctc.alignments").value
    assert list(table["#"]) == list(range(21, 41))
    assert table["frame path"].iloc[0] == " ".join(ctc.decode_labels(first[20], "φ好棒"))


def test_the_lectures_two_frame_paths(at):
    at.text_input(key="ctc.path").set_value("好φφ棒φφ棒φ").run()
    assert "**好棒棒**" in at.success[0].value and "a valid alignment" in at.success[0].value
    at.button(key="ctc.naive").click().run()  # 好好好棒棒棒棒
    assert at.text_input(key="ctc.path").value == ctc.LECTURE_NAIVE_PATH
    assert not at.success
    assert "**好棒**" in at.warning[0].value and "not an alignment" in at.warning[0].value
    at.text_input(key="ctc.path").set_value("好--棒_φ棒φ").run()  # - and _ are blanks too
    assert "a valid alignment" in at.success[0].value


def test_too_few_frames_is_an_error_not_an_exception(at):
    at.number_input(key="ctc.T").set_value(3).run()
    assert not at.exception
    assert any("needs at least 4 frames" in e for e in messages(at))
    assert count(at) == 0
    at.text_input(key="ctc.target").set_value("aφb").run()  # the blank cannot be a label
    assert not at.exception and any("blank" in e for e in messages(at))


def test_pasted_garbage_is_an_error_and_the_rest_keeps_working(at):
    for text, message in [("0.5, abc\n0.5, 0.5", "“abc” is not a number"),
                          ("0.5, 0.5\n0.2, 0.3, 0.5", "frame 2 has 3 values"),
                          ("0.5, 0.7\n0.5, 0.5", "sums to 1.2")]:
        at.text_area(key="ctc.matrix").set_value(text).run()
        assert not at.exception
        assert any(message in e for e in messages(at)), errors(at)
    assert count(at) == 210  # the alignments tab is untouched
    at.text_area(key="ctc.matrix").set_value(ctc_controls.EXAMPLE_MATRIX).run()
    at.text_input(key="ctc.classes").set_value("1 7").run()
    assert any("target[1] = 7 is not a class" in e for e in messages(at))
    at.text_input(key="ctc.classes").set_value("1, x").run()
    assert any("“x” is not a class index" in e for e in messages(at))


@pytest.mark.parametrize("log_space", [False, True])
def test_a_pasted_matrix_gives_minus_the_ctc_loss(at, log_space):
    probs = torch.softmax(torch.randn(7, 4, generator=torch.Generator().manual_seed(5),
                                      dtype=torch.float64), dim=-1)
    shown = probs.log() if log_space else probs
    at.text_area(key="ctc.matrix").set_value(
        "\n".join(", ".join(f"{v:.17g}" for v in row) for row in shown.tolist())).run()
    at.text_input(key="ctc.classes").set_value("3 1 1").run()
    assert not errors(at) and not at.exception
    loss = torch.nn.functional.ctc_loss(probs.log()[:, None], torch.tensor([[3, 1, 1]]), [7],
                                        [3], reduction="sum")
    assert float(metric(at, "log p(target")) == pytest.approx(-loss.item(), abs=1e-6)
    at.radio(key="ctc.own.view").set_value("alpha").run()
    assert not at.exception
    assert not animations(at)  # built only when its expander opens
    at.session_state["ctc.own.alpha_open"] = True
    at.run()
    assert [len(spec["frames"]) for spec in animations(at)] == [7]  # one frame per time step


def test_uploads_are_read_without_unpickling():
    buffer = io.BytesIO()
    np.save(buffer, np.array([[0.5, 0.5], [0.1, 0.9]]))
    assert ctc_controls.read_upload("m.npy", buffer.getvalue()).shape == (2, 2)
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="Python objects"):
        ctc_controls.read_upload("evil.npy", buffer.getvalue())
    csv = b"blank,a,b\n0.2,0.3,0.5\n1,0,0\n"
    np.testing.assert_allclose(ctc_controls.read_upload("m.csv", csv), [[0.2, 0.3, 0.5],
                                                                       [1, 0, 0]])
    with pytest.raises(ValueError, match="not text"):
        ctc_controls.read_upload("m.csv", b"\x81\x00\xfe\xff")


@pytest.mark.skipif(not SNAPSHOTS, reason="no recogniser snapshots in pretrained/ctc_digits/")
def test_the_trained_recogniser_reads_a_strip_at_every_snapshot(at):
    at.text_input(key="ctc.digits").set_value("3141").run()
    assert not at.exception, [e.value for e in at.exception]
    loss_last = float(metric(at, "Loss"))
    table = next(df.value for df in at.dataframe if "decoder" in df.value.columns)
    assert table["reading"].iloc[0] == metric(at, "Greedy reading")
    assert metric(at, "Greedy reading") == "3141"  # the last snapshot reads 95.8% of strips
    epochs = at.select_slider(key="ctc.epoch").options
    at.select_slider(key="ctc.epoch").set_value(epochs[0]).run()
    assert not at.exception
    assert float(metric(at, "Loss")) > loss_last  # the first snapshot is less sure
    at.session_state["ctc.model.alpha_open"] = True
    at.run()
    assert [len(spec["frames"]) for spec in animations(at)] == [int(metric(at, "Frames T"))]
    at.button(key="ctc.random").click().run()
    assert at.number_input(key="ctc.seed").value == 1
    assert at.text_input(key="ctc.digits").value.isdigit()
    at.slider(key="ctc.beam").set_value(1).run()
    at.text_input(key="ctc.digits").set_value("12a").run()
    assert any("not a string of digits" in e for e in messages(at)) and not at.exception


# -- your own posteriors: refused inputs keep the last lattice; examples; limits ---------------


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def torch_log_p(probs: np.ndarray, target: list[int]) -> float:
    """log p(target | probs) as −torch.nn.functional.ctc_loss (the reference)."""
    lp = torch.tensor(probs, dtype=torch.float64).log()
    return -torch.nn.functional.ctc_loss(lp[:, None], torch.tensor([target]), [len(probs)],
                                         [len(target)], reduction="sum").item()


def upload_posteriors(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="ctc.upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_refused_file_keeps_the_last_lattice(at):
    probs = torch.softmax(torch.randn(9, 4, generator=torch.Generator().manual_seed(2)),
                          dim=-1).double().numpy()
    at.text_input(key="ctc.classes").set_value("3 1 1").run()
    upload_posteriors(at, "good.npy", npy(probs))
    assert not messages(at)
    good = float(metric(at, "log p(target"))
    assert good == pytest.approx(torch_log_p(probs, [3, 1, 1]), abs=1e-6)
    upload_posteriors(at, "bad.csv", b"0.5,0.5\n0.2,x\n")
    assert any("is not a number" in e for e in messages(at)), messages(at)
    assert float(metric(at, "log p(target")) == good  # the last lattice is still shown
    assert any("That input was refused" in shown(c.value) and "good.npy" in shown(c.value)
               for c in at.caption)
    assert at.get("plotly_chart")  # and its figures
    upload_posteriors(at, "good.npy", npy(probs))  # back to the good file, then a bad target
    at.text_input(key="ctc.classes").set_value("3 9").run()
    assert any("target[1] = 9 is not a class" in e for e in messages(at))
    assert float(metric(at, "log p(target")) == good


def test_the_example_posterior_files_give_the_lectures_lattice(at):
    files = ctc_controls.example_files()
    assert {name.rsplit(".", 1)[1] for name in files} == {"csv", "npy"}
    buttons = {b.proto.label for b in at.get("download_button")}
    assert {"CSV", "NPY"} <= buttons
    at.text_input(key="ctc.classes").set_value("1 2 2").run()  # 好棒棒
    for name, data in files.items():
        if name.endswith(".npy"):
            probs = np.load(io.BytesIO(data), allow_pickle=False)
        else:
            probs = np.loadtxt(io.StringIO(data.decode()), delimiter=",", skiprows=1)
        assert probs.shape == (8, 3)
        upload_posteriors(at, name, data)
        assert not messages(at)
        assert float(metric(at, "log p(target")) == pytest.approx(
            torch_log_p(probs, [1, 2, 2]), abs=1e-6)
        # the Viterbi path of these posteriors is the lecture's 好 φ φ 棒 φ φ 棒 φ
        assert metric(at, "Viterbi path") == "1 φ φ 2 φ φ 2 φ"


@pytest.mark.parametrize(("frames", "classes", "target", "message"), [
    (5_001, 3, "1 2", "at most 5,000 are read"),  # one past each limit
    (10, 101, "1 2", "at most 100 are read"),
    (1200, 3, " ".join(["1 2"] * 501), "1,002 labels; at most 1,000"),
    (5000, 3, " ".join(["1 2"] * 150), "at most 256 MB is allowed"),  # the lattice's memory
])
def test_own_posteriors_one_past_each_limit(at, frames, classes, target, message):
    assert (ctc_controls.MAX_OWN_FRAMES, ctc_controls.MAX_OWN_CLASSES,
            ctc_controls.MAX_OWN_TARGET) == (5_000, 100, 1_000)
    at.text_input(key="ctc.classes").set_value(target).run()
    upload_posteriors(at, "big.npy", npy(np.full((frames, classes), 1 / classes)))
    assert any(message in e for e in messages(at)), messages(at)


def test_user_text_is_shown_as_text(at):
    at.text_input(key="ctc.target").set_value("**b**[x](y)").run()
    label = next(m.label for m in at.metric if m.label.startswith("Valid alignments"))
    assert "\\*\\*b\\*\\*\\[x\\]\\(y\\)" in label
    at.text_input(key="ctc.path").set_value("*a*").run()
    assert "\\*a\\*" in at.warning[0].value
    upload_posteriors(at, "**[evil](x)**.csv", b"0.5,0.5\n0.5,x\n0.5,0.5\n")
    raw = [e.value for e in at.error]  # the markdown source: the name arrives escaped
    assert any("\\*\\*\\[evil\\]\\(x\\)\\*\\*" in e for e in raw), raw
    assert any("**[evil](x)**.csv, line 2, column 2" in e for e in errors(at)), errors(at)


# -- the alignments tab's and the recogniser's limits ------------------------------------------


def test_the_alignment_controls_state_their_limits(at):
    assert at.number_input(key="ctc.T").proto.max == ctc_controls.MAX_T == 1000
    assert at.text_input(key="ctc.target").proto.max_chars == ctc_controls.MAX_TARGET_CHARS
    for text, T, message in [("a" * 61, 8, "at most 60"), ("abc", 1001, "at most 1,000")]:
        with pytest.raises(ValueError, match=message):
            ctc_controls.check_alignment_size(text, T)
    ctc_controls.check_alignment_size("a" * 60, 1000)
    at.number_input(key="ctc.T").set_value(1000).run()
    at.text_input(key="ctc.target").set_value("hello").run()
    assert ctc_controls.MAX_PAGES == 5000
    assert at.number_input(key="ctc.page").proto.max == ctc_controls.MAX_PAGES
    at.number_input(key="ctc.page").set_value(ctc_controls.MAX_PAGES).run()  # the last page
    assert not at.exception
    assert list(at.dataframe(key="ctc.alignments").value["#"])[-1] == 100_000
    assert any("Only the first 5,000 pages (100,000 alignments)" in c.value for c in at.caption)


@pytest.mark.skipif(not SNAPSHOTS, reason="no recogniser snapshots in pretrained/ctc_digits/")
def test_the_digits_counter_and_beam_agree_with_their_limits(at):
    box = at.text_input(key="ctc.digits")
    assert box.proto.max_chars == digits.MAX_STRIP_DIGITS == 8 and "up to 8" in box.label
    box.set_value("123456789").run()  # the box keeps 8 digits, the engine refuses 9
    assert at.text_input(key="ctc.digits").value == "12345678"
    assert metric(at, "Greedy reading").isdigit() and not messages(at)
    assert at.slider(key="ctc.beam").proto.max == ctc_controls.MAX_BEAM


def strip_upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="upload.ctc_strip.file").set_value((name, data, "image/png")).run()
    assert not at.exception, [e.value for e in at.exception]


def png(picture: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray((np.clip(picture, 0, 1) * 255).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.skipif(not SNAPSHOTS, reason="no recogniser snapshots in pretrained/ctc_digits/")
def test_a_screenshot_is_refused_and_the_last_strip_stays(at):
    from test_digits import page_of_text

    name, data = example(".png")
    strip_upload(at, name, data)
    assert not messages(at) and metric(at, "Your strip: greedy reading") == "2026"
    strip_upload(at, "home.png", png(page_of_text(1280, 800, 25)))
    assert any("home.png does not look like a strip of handwritten digits" in e
               and "taller than a strip" in e for e in messages(at)), messages(at)
    assert metric(at, "Your strip: greedy reading") == "2026"  # the last strip is kept
    assert any("still showing" in shown(c.value) for c in at.caption)
    strip_upload(at, "noise.png", png(np.random.default_rng(0).normal(0.5, 0.2, (32, 176))))
    assert any("photo or noise" in e for e in messages(at)), messages(at)
