"""engine.digits: digit strips from scikit-learn's scans, the source split, and the recogniser."""

import numpy as np
import pytest
import torch

from engine import digits
from engine.digits import (
    BLANK,
    HEIGHT,
    NUM_CLASSES,
    Recogniser,
    RecogniserConfig,
    batch,
    collapse,
    distort,
    edit_distance,
    evaluate,
    from_ctc,
    heldout_strips,
    load_scans,
    make_strip,
    make_strips,
    split_indices,
    to_ctc,
)
from engine.trace import trace


def test_scans_are_the_1797_bundled_digits_scaled_to_unit_range():
    images, labels = load_scans()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and set(labels.tolist()) == set(range(10))
    assert images.min() == 0.0 and images.max() == 1.0


def test_split_is_disjoint_complete_stratified_and_fixed():
    train, test = split_indices("train"), split_indices("test")
    assert not set(train) & set(test)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(1797))
    _, labels = load_scans()
    for d in range(10):
        n_test, n_all = (labels[test] == d).sum(), (labels == d).sum()
        assert abs(n_test - digits.TEST_FRACTION * n_all) <= 1
    assert 0.19 < len(test) / 1797 < 0.21
    split_indices.cache_clear()
    assert np.array_equal(split_indices("test"), test)  # recomputed from the seed
    with pytest.raises(ValueError, match="train, test"):
        split_indices("val")


def test_strip_layout_gaps_shifts_and_pixels():
    images, labels = load_scans()
    rng = np.random.default_rng(5)
    for _ in range(200):
        s = make_strip(None, rng)
        n = len(s.labels)
        assert 1 <= n <= 6 and s.image.shape == (HEIGHT, s.width)
        assert s.image.dtype == np.float32 and s.image.min() >= 0 and s.image.max() <= 1
        assert len(s.spans) == len(s.sources) == len(s.shifts) == n
        edges = [0] + [x for span in s.spans for x in span] + [s.width]
        gaps = [edges[k + 1] - edges[k] for k in range(0, len(edges), 2)]
        assert all(0 <= g <= 3 for g in gaps)  # left margin, gaps between digits, right margin
        assert all(b - a == HEIGHT for a, b in s.spans)
        assert s.width == HEIGHT * n + sum(gaps)
        covered = np.zeros(s.width, bool)
        for (a, b), src, shift, d in zip(s.spans, s.sources, s.shifts, s.labels, strict=True):
            assert labels[src] == d and abs(shift) <= 1
            piece, scan = s.image[:, a:b], images[src]
            if shift >= 0:
                assert np.array_equal(piece[shift:], scan[: HEIGHT - shift])
                assert not piece[:shift].any()
            else:
                assert np.array_equal(piece[:shift], scan[-shift:])
                assert not piece[shift:].any()
            covered[a:b] = True
        assert not s.image[:, ~covered].any()  # gaps and margins are blank columns


def test_random_strips_cover_every_length_and_every_gap():
    strips = make_strips(300, 1)
    assert {len(s.labels) for s in strips} == set(range(1, 7))
    gaps = {b[0] - a[1] for s in strips for a, b in zip(s.spans[:-1], s.spans[1:], strict=True)}
    assert gaps == {0, 1, 2, 3}
    assert {sh for s in strips for sh in s.shifts} == {-1, 0, 1}


def test_given_digits_and_seeds():
    s = make_strip([3, 1, 4, 1, 5], 7)
    assert s.labels == [3, 1, 4, 1, 5] and s.ctc_labels == [4, 2, 5, 2, 6]
    again = make_strip([3, 1, 4, 1, 5], 7)
    assert np.array_equal(s.image, again.image) and s.sources == again.sources
    flat = make_strip([8, 8], 0, max_gap=0, max_shift=0)
    assert flat.width == 16 and flat.shifts == [0, 0]
    for bad in ([], [10], [-1]):
        with pytest.raises(ValueError, match="0-9"):
            make_strip(bad, 0)


def test_test_strips_never_use_a_training_scan():
    train = set(split_indices("train").tolist())
    test = set(split_indices("test").tolist())
    for s in make_strips(200, 3, split="test"):
        assert set(s.sources) <= test and s.split == "test"
    for s in make_strips(200, 3, split="train"):
        assert set(s.sources) <= train
    held = heldout_strips(50)
    assert all(set(s.sources) <= test for s in held)
    assert [s.labels for s in held] == [s.labels for s in heldout_strips(50)]


def test_distort_keeps_range_and_strength_zero_is_the_identity():
    scan = load_scans()[0][10]
    rng = np.random.default_rng(0)
    assert np.allclose(distort(scan, rng, strength=0.0), scan, atol=1e-6)
    out = [distort(scan, rng) for _ in range(20)]
    assert all(o.shape == (8, 8) and o.min() >= 0 and o.max() <= 1 for o in out)
    assert all(not np.allclose(o, scan) for o in out)
    aug = make_strip([2, 7], 4, augment=0.5)
    plain = make_strip([2, 7], 4)
    assert aug.sources == plain.sources and not np.array_equal(aug.image, plain.image)


def test_ctc_label_maps_collapse_and_edit_distance():
    assert to_ctc([0, 9, 3]) == [1, 10, 4] and from_ctc([1, 0, 10, 4]) == [0, 9, 3]
    assert collapse([0, 4, 4, 0, 0, 4, 2, 2, 0]) == [4, 4, 2]
    assert collapse([5, 5, 5]) == [5] and collapse([BLANK] * 4) == []
    assert edit_distance([1, 2, 3], [1, 2, 3]) == 0
    assert edit_distance([1, 2, 3], [1, 3]) == 1
    assert edit_distance([], [4, 4]) == 2 and edit_distance([1, 2], [2, 1]) == 2


def test_batch_pads_and_concatenates_targets():
    strips = [make_strip([1, 2], 0), make_strip([7], 1), make_strip([0, 0, 3], 2)]
    images, widths, targets, lengths = batch(strips)
    assert images.shape == (3, HEIGHT, max(s.width for s in strips))
    assert widths.tolist() == [s.width for s in strips]
    assert targets.tolist() == [2, 3, 8, 1, 1, 4] and lengths.tolist() == [2, 1, 3]
    for b, s in enumerate(strips):
        assert np.array_equal(images[b, :, : s.width].numpy(), s.image)
        assert not images[b, :, s.width:].any()


def test_frames_hold_each_column_with_its_neighbours():
    model = Recogniser(RecogniserConfig(hidden_size=4, context=2))
    image = np.arange(8 * 5, dtype=np.float32).reshape(8, 5)
    frames = model.frames(image)
    assert frames.shape == (5, 8 * 5)
    for t in range(5):
        for k in range(5):
            col = t - 2 + k
            want = image[:, col] if 0 <= col < 5 else np.zeros(8)
            assert np.array_equal(frames[t, 8 * k: 8 * (k + 1)].numpy(), want)
    assert torch.equal(model.frames(np.stack([image, image]))[:, 1], frames)


def test_recogniser_shapes_normalisation_and_batching():
    cfg = RecogniserConfig(hidden_size=8)
    model = Recogniser(cfg, seed=0)
    assert cfg.input_size == 8 * 7 and model.rnn.config.bidirectional
    strips = [make_strip([1, 2, 3], s, max_gap=0) for s in range(3)]  # equal widths: 24
    single = model(strips[0].image)
    assert single.shape == (24, NUM_CLASSES)
    assert torch.allclose(single.exp().sum(-1), torch.ones(24), atol=1e-5)
    batched = model(np.stack([s.image for s in strips]))
    assert batched.shape == (24, 3, NUM_CLASSES)
    assert torch.allclose(batched[:, 0], single, atol=1e-6)
    reading = model.recognise(strips[0].image)
    assert all(0 <= d <= 9 for d in reading)
    assert model.recognise_batch([s.image for s in strips] + [make_strip([4], 9).image])[0] \
        == reading
    with pytest.raises(ValueError, match=r"\[8, W\]"):
        model(np.zeros((7, 5)))
    with pytest.raises(ValueError):
        RecogniserConfig(hidden_size=0)


def test_trace_reads_the_recogniser_lstm():
    model = Recogniser(RecogniserConfig(hidden_size=6), seed=2)
    image = make_strip([5, 6], 3).image
    tr = trace(model.rnn, model.frames(image))
    assert tr.kind == "lstm" and tr.num_directions == 2 and tr.steps == image.shape[1]
    assert torch.allclose(torch.log_softmax(tr.outputs, -1), model(image), atol=1e-5)


def test_evaluate_matches_recognise_and_ctc_loss():
    model = Recogniser(RecogniserConfig(hidden_size=8), seed=0)
    strips = make_strips(12, 4, split="test")
    ev = evaluate(model, strips)
    assert ev.strips == 12 and ev.readings == [model.recognise(s.image) for s in strips]
    pairs = list(zip(ev.readings, strips, strict=True))
    assert ev.exact_accuracy == np.mean([r == s.labels for r, s in pairs])
    errors = sum(edit_distance(r, s.labels) for r, s in pairs)
    assert ev.cer == pytest.approx(errors / sum(len(s.labels) for s in strips))
    with torch.no_grad():
        nll = [torch.nn.functional.ctc_loss(
            model(s.image).unsqueeze(1), torch.tensor([s.ctc_labels]), torch.tensor([s.width]),
            torch.tensor([len(s.labels)]), reduction="sum").item() for s in strips]
    assert ev.loss == pytest.approx(np.mean(nll), rel=1e-4)


# --------------------------------------------------------------------------------------------
# Pictures that are (not) digit strips


def page_of_text(width: int, height: int, lines: int, seed: int = 0) -> np.ndarray:
    """A screenshot-like picture [H, W]: lines of dark text on a light page, with grain."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(page)
    for k in range(lines):
        draw.text((20, 15 + k * (height - 30) // lines), "See what a recurrent network does, "
                  "one token at a time: the gates of an LSTM opening and closing.", fill=30)
    grain = np.random.default_rng(seed).normal(0.0, 0.01, (height, width))
    return np.clip(np.asarray(page, dtype=np.float64) / 255 + grain, 0, 1)


def test_the_shipped_strips_and_the_example_png_pass_as_strips():
    from engine.uploads import example

    _, data = example(".png")
    m = digits.check_strip(digits.png_pixels(data))
    assert m.height == 32 and m.lines == 1
    for seed in range(200):  # both polarities, as scanned and scaled up 4x
        image = make_strip(None, seed, split="test", max_digits=8).image
        for picture in (image, 1 - image, np.kron(1 - image, np.ones((4, 4)))):
            digits.check_strip(picture)


@pytest.mark.parametrize(("picture", "message"), [
    (page_of_text(1280, 800, 25), "taller than a strip of digits"),  # a screenshot
    (page_of_text(900, 300, 12), "separate lines of writing"),  # a cropped page of text
    (np.clip(np.random.default_rng(1).normal(0.5, 0.2, (32, 176)), 0, 1),
     "photo or noise"),  # photo-like grey
    (np.random.default_rng(1).random((32, 176)), "51% of the picture is ink"),  # white noise
    (np.full((32, 176), 0.9), "one shade"),  # blank paper
    (np.pad(np.ones((20, 2)), ((6, 6), (87, 87))), "only 0.7% of the picture is ink"),  # a tick
    (np.random.default_rng(2).random((8, 200)) > 0.5, "times as wide"),  # far too wide
    (np.ones((4, 12)), "at least 8 pixel rows"),  # too small to read
    (np.ones((60, 20)), "narrower than one digit"),
])
def test_pictures_that_are_not_digit_strips_are_refused_saying_why(picture, message):
    with pytest.raises(ValueError, match=message):
        digits.check_strip(np.asarray(picture, dtype=np.float32))


def test_the_strip_size_limits_one_past():
    strip = 1 - make_strip([1, 2, 3, 4, 5, 6], 0, split="test").image  # dark ink on white
    tall = np.kron(strip, np.ones((digits.MAX_STRIP_HEIGHT // 8,) * 2))  # 400 rows
    digits.check_strip(tall)
    with pytest.raises(ValueError, match="400 pixels at most"):
        digits.check_strip(np.pad(tall, ((0, 1), (0, 0)), constant_values=1.0))
    wide = np.pad(strip, ((0, 0), (0, 192 - strip.shape[1])), constant_values=1.0)  # 24 x 8
    digits.check_strip(wide)
    with pytest.raises(ValueError, match="at most 24 times as wide"):
        digits.check_strip(np.pad(wide, ((0, 0), (0, 1)), constant_values=1.0))


def test_strips_hold_at_most_eight_digits():
    assert len(make_strip([1] * digits.MAX_STRIP_DIGITS, 0).labels) == 8
    with pytest.raises(ValueError, match="at most 8"):
        make_strip([1] * (digits.MAX_STRIP_DIGITS + 1), 0)
