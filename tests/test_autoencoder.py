"""engine.autoencoder: shapes, seeds, learning a tiny set, stopping, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import autoencoder as ae
from engine import checkpoint, embeddings

WORDS = ["cat", "cats", "dog", "dogs", "bird", "fish", "cow", "owl", "bee", "ant",
         "tree", "leaf", "sun", "moon", "star", "rain"]
THREADS_AT_IMPORT = torch.get_num_threads()  # what every test here must leave behind
SMALL = ae.AutoencoderConfig(kind="gru", hidden_size=48, code_size=16, embed_size=12, max_len=8)


def frames(n: int = 12, F: int = 5, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        T = 4 + i % 5
        t = np.arange(T)[:, None]
        out.append(np.sin(0.5 * t * (1 + i % 3) + np.arange(F)[None]).astype(np.float32)
                   + 0.01 * rng.normal(size=(T, F)).astype(np.float32))
    return out


@pytest.mark.parametrize("kind", ae.KINDS)
def test_codes_and_reconstructions_have_the_right_shapes(kind):
    cfg = ae.AutoencoderConfig(kind=kind, hidden_size=20, code_size=7, max_len=8)
    model = ae.build(cfg, seed=0)
    codes = ae.encode(model, WORDS)
    assert codes.shape == (len(WORDS), 7) and codes.dtype == np.float32
    assert np.all(np.abs(codes) <= 1)  # tanh
    out = ae.reconstruct(model, WORDS[:3])
    assert len(out) == 3 and all(isinstance(w, str) and len(w) <= 9 for w in out)
    fcfg = ae.AutoencoderConfig(kind=kind, mode="frames", input_size=5, hidden_size=20,
                                code_size=7)
    fmodel = ae.build(fcfg, seed=0)
    seqs = frames()
    assert ae.encode(fmodel, seqs).shape == (len(seqs), 7)
    rec = ae.reconstruct(fmodel, seqs)
    assert [r.shape for r in rec] == [s.shape for s in seqs]


def test_a_code_does_not_depend_on_the_padding_of_its_batch():
    model = ae.build(SMALL, seed=0)
    alone = ae.encode(model, ["cat"])
    together = ae.encode(model, ["cat", "butterfly"[:8]])
    assert np.allclose(alone[0], together[0], atol=1e-6)


def test_teacher_forced_loss_matches_a_direct_cross_entropy():
    model = ae.build(SMALL, seed=0)
    ids = ae.token_ids(["cat"], SMALL)[0]
    x, lengths, prev, target = ae._token_batch([ids])
    assert prev[0].tolist() == [ae.BOS, *ids] and target[0].tolist() == [*ids, ae.EOS]
    logits = model(x, lengths, prev)[0]
    ref = -torch.log_softmax(logits, -1)[torch.arange(4), target[0]].mean()
    assert torch.isclose(ae._loss(model, (x, lengths, prev, target)), ref)


def test_same_seed_same_training_other_seed_other():
    def run(seed):
        model = ae.build(SMALL, seed=seed)
        res = ae.train(model, WORDS, ae.TrainConfig(epochs=3, batch_size=8, seed=seed))
        return res.losses, ae.encode(model, WORDS)
    (l0, c0), (l0b, c0b), (_, c1) = run(0), run(0), run(1)
    assert l0 == l0b and np.array_equal(c0, c0b)
    assert not np.allclose(c0, c1)


@pytest.fixture
def one_thread():
    """torch on one thread for this test only (a deterministic, quick tiny run); the other
    tests get back the thread count they had."""
    with embeddings.one_thread():
        yield


def test_learns_to_reconstruct_a_tiny_word_set(one_thread):
    model = ae.build(SMALL, seed=0)
    res = ae.train(model, WORDS, ae.TrainConfig(epochs=150, batch_size=16, lr=1e-2, seed=0))
    assert res.losses[-1] < 0.1 * res.losses[0]
    assert ae.exact_rate(model, WORDS) == 1.0
    assert ae.reconstruct(model, ["cat", "dogs"]) == ["cat", "dogs"]


def test_learns_to_reconstruct_frames_better_than_their_mean():
    seqs = frames()
    cfg = ae.AutoencoderConfig(mode="frames", input_size=5, hidden_size=48, code_size=16)
    model = ae.build(cfg, seed=0)
    ae.train(model, seqs, ae.TrainConfig(epochs=150, batch_size=12, lr=1e-2, seed=0))
    rec = ae.reconstruct(model, seqs)
    err = np.mean([np.mean((r - s) ** 2) for r, s in zip(rec, seqs, strict=True)])
    mean = np.concatenate(seqs).mean(0)
    base = np.mean([np.mean((s - mean) ** 2) for s in seqs])
    assert err < 0.2 * base


def test_stop_callback_stops_and_progress_reports_each_epoch():
    model = ae.build(SMALL, seed=0)
    seen = []
    res = ae.train(model, WORDS, ae.TrainConfig(epochs=50, batch_size=4),
                   progress=lambda e, loss: seen.append((e, loss)),
                   should_stop=lambda: len(seen) >= 2)
    assert res.stopped and res.epochs == 2 and [e for e, _ in seen] == [1, 2]
    assert [loss for _, loss in seen] == res.losses


def test_no_test_leaves_torch_on_another_thread_count():
    """Runs after the one-thread test (file order): the count is what it was at start."""
    assert torch.get_num_threads() == THREADS_AT_IMPORT


def test_bad_input_is_refused_with_a_message():
    model = ae.build(SMALL, seed=0)
    with pytest.raises(ValueError, match="outside the alphabet"):
        ae.encode(model, ["Cat"])
    with pytest.raises(ValueError, match="longer than"):
        ae.encode(model, ["abcdefghij"])
    with pytest.raises(ValueError, match="valid: gru, lstm"):
        ae.AutoencoderConfig(kind="rnn")
    fmodel = ae.build(ae.AutoencoderConfig(mode="frames", input_size=5), seed=0)
    with pytest.raises(ValueError, match="shape"):
        ae.encode(fmodel, [np.zeros((3, 4))])


@pytest.mark.parametrize("kind", ae.KINDS)
def test_checkpoint_round_trip(tmp_path, kind):
    cfg = ae.AutoencoderConfig(kind=kind, hidden_size=24, code_size=8, max_len=8)
    model = ae.build(cfg, seed=3)
    ae.train(model, WORDS, ae.TrainConfig(epochs=2, batch_size=8))
    checkpoint.save(model, cfg, tmp_path / "ae", metrics={"exact": 0.5})
    back = checkpoint.load(tmp_path / "ae")
    assert isinstance(back, ae.SeqAutoencoder) and back.config == cfg
    assert np.array_equal(ae.encode(back, WORDS), ae.encode(model, WORDS))
    assert ae.reconstruct(back, WORDS) == ae.reconstruct(model, WORDS)


@pytest.mark.parametrize("kind", ae.KINDS)
def test_frames_decoder_without_feedback_runs_the_same_in_training_and_reconstruction(kind):
    seqs = frames(4)
    cfg = ae.AutoencoderConfig(kind=kind, mode="frames", input_size=5, hidden_size=16,
                               code_size=6)
    model = ae.build(cfg, seed=0).eval()
    x, lengths, prev, _ = ae._frame_batch(seqs)
    with torch.no_grad():
        forced = model(x, lengths, prev)
    rebuilt = ae.reconstruct(model, seqs)
    for b, r in enumerate(rebuilt):
        assert np.allclose(forced[b, : len(r)].numpy(), r, atol=1e-5)
    fed = ae.build(ae.AutoencoderConfig(kind=kind, mode="frames", input_size=5, hidden_size=16,
                                        code_size=6, feed_frames=True), seed=0).eval()
    with torch.no_grad():
        assert not torch.allclose(fed(x, lengths, prev), fed(x, lengths, torch.zeros_like(prev)))
