"""The shipped checkpoints in pretrained/: they load, fast, score what their cards say, and the
snapshots tell a real training story (worse early, CTC's blank-dominated spikes late)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from engine import checkpoint, digits
from engine.trace import trace

ROOT = Path(__file__).resolve().parents[1]
PRETRAINED = ROOT / "pretrained"
CARDS = (PRETRAINED / "README.md").read_text(encoding="utf-8")
CTC_DIR = PRETRAINED / "ctc_digits"
CTC_SNAPSHOTS = sorted(CTC_DIR.glob("epoch_*.json"))
TOL = 0.005  # recomputed accuracy may differ from the card by rounding / float noise only


def shipped() -> list[Path]:
    """Every checkpoint JSON under pretrained/ (all models, all snapshots); other JSON files
    there (precomputed results) are not checkpoints."""
    out = []
    for p in sorted(PRETRAINED.rglob("*.json")):
        meta = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(meta, dict) and meta.get("format") == checkpoint.FORMAT:
            out.append(p)
    return out


@pytest.fixture(scope="module")
def heldout():
    return digits.heldout_strips()


@pytest.fixture(scope="module")
def snapshots():
    """(epoch, model, info) for every shipped CTC snapshot, in epoch order."""
    out = [(checkpoint.read_info(p).metrics["epoch"], checkpoint.load(p), checkpoint.read_info(p))
           for p in CTC_SNAPSHOTS]
    return sorted(out, key=lambda e: e[0])


@pytest.fixture(scope="module")
def scores(snapshots, heldout):
    return {epoch: digits.evaluate(model, heldout) for epoch, model, _ in snapshots}


def test_every_shipped_file_loads():
    files = shipped()
    assert set(CTC_SNAPSHOTS) <= set(files)
    for weights in PRETRAINED.rglob("*.safetensors"):
        assert checkpoint.paths(weights)[1] in files, f"{weights.name} has no checkpoint JSON"
    for p in files:
        assert checkpoint.paths(p)[0].exists(), f"{p.name} has no weights file"
    # (how long loading takes is measured by bench/, never asserted by a timed test)
    models = [checkpoint.load(p) for p in files]
    assert all(not m.training for m in models)


def test_every_shipped_model_group_has_a_card():
    groups = {p.relative_to(PRETRAINED).parts[0] for p in shipped()}
    headings = re.findall(r"^## (\S+)", CARDS, flags=re.M)
    for group in groups:
        assert any(h.strip("/`").split("/")[0] == group for h in headings), group
    assert "python pretrained/ctc_digits.py" in CARDS


def test_ctc_snapshots_are_the_documented_recogniser():
    assert len(CTC_SNAPSHOTS) >= 4
    for p in CTC_SNAPSHOTS:
        info = checkpoint.read_info(p)
        assert info.model_type == "ctc_digits"
        assert info.config == checkpoint.read_info(CTC_SNAPSHOTS[-1]).config
        for key in ("heldout_exact_accuracy", "heldout_cer", "heldout_loss", "epoch"):
            assert key in info.metrics
        assert info.data["command"] == "python pretrained/ctc_digits.py"
        assert f"`{p.stem}`" in CARDS  # the card lists each snapshot


def card_accuracy(stem: str) -> float:
    """The held-out exact-sequence accuracy the card's table gives for one snapshot."""
    row = re.search(rf"^\| `{stem}` \|(.*)$", CARDS, flags=re.M)
    assert row, f"no table row for {stem} in pretrained/README.md"
    cells = [c.strip() for c in row.group(1).split("|")]
    return float(cells[2])  # epoch | strips seen | exact accuracy | CER | loss


def test_final_snapshot_reads_held_out_strips(snapshots, scores, heldout):
    epoch, _, info = snapshots[-1]
    acc = scores[epoch].exact_accuracy
    assert len(heldout) == digits.HELDOUT_SIZE
    assert acc >= 0.95
    assert acc >= card_accuracy(info.json_path.stem) - TOL
    assert acc >= info.metrics["heldout_exact_accuracy"] - TOL
    assert scores[epoch].cer <= 0.02


def test_cards_and_json_agree_with_the_recomputed_scores(snapshots, scores):
    for epoch, _, info in snapshots:
        acc = scores[epoch].exact_accuracy
        assert acc == pytest.approx(info.metrics["heldout_exact_accuracy"], abs=TOL)
        assert acc == pytest.approx(card_accuracy(info.json_path.stem), abs=TOL)
        assert scores[epoch].cer == pytest.approx(info.metrics["heldout_cer"], abs=TOL)


def test_earlier_snapshots_are_worse(snapshots, scores):
    epochs = [e for e, _, _ in snapshots]
    accs = [scores[e].exact_accuracy for e in epochs]
    losses = [scores[e].loss for e in epochs]
    assert accs == sorted(accs) and len(set(accs)) == len(accs), accs
    assert losses == sorted(losses, reverse=True), losses
    assert accs[0] < 0.5 <= accs[-1]


def test_posteriors_become_spikes(snapshots, heldout):
    """First snapshot: blank everywhere. Last: a blank-dominated path with sharp spikes, each
    inside (or next to) the columns of a digit."""
    strips = heldout[:100]
    first, last = snapshots[0][1], snapshots[-1][1]
    peaks = {}
    for name, model in (("first", first), ("last", last)):
        post = [model.posteriors(s.image) for s in strips]
        peaks[name] = np.mean([p.max(axis=1).mean() for p in post])
        if name == "first":
            assert all((p.argmax(axis=1) == digits.BLANK).all() for p in post)
            continue
        spikes = inside = 0
        for p, s in zip(post, strips, strict=True):
            frames = np.flatnonzero(p.argmax(axis=1) != digits.BLANK)
            spikes += len(frames)
            inside += sum(any(a - 1 <= t <= b for a, b in s.spans) for t in frames)
            assert (p.argmax(axis=1) == digits.BLANK).mean() > 0.5
        n_digits = sum(len(s.labels) for s in strips)
        assert 0.95 * n_digits <= spikes <= 1.5 * n_digits
        assert inside >= 0.99 * spikes
    assert peaks["last"] > 0.98 > peaks["first"]


def test_final_snapshot_can_be_traced(snapshots, heldout):
    model = snapshots[-1][1]
    strip = heldout[0]
    tr = trace(model.rnn, model.frames(strip.image))
    assert tr.num_directions == 2 and tr.steps == strip.width
    assert set(tr.gates) == {"i", "f", "g", "o"}
    assert model.recognise(strip.image) == digits.evaluate(model, [strip]).readings[0]
