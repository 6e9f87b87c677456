"""The embeddings page, run headless with Streamlit's AppTest against the real engine."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from apptest import run_app
from streamlit.testing.v1 import AppTest

from engine import autoencoder as ae
from engine import embeddings, projection


@pytest.fixture(scope="module")
def shipped() -> embeddings.EmbeddingSet:
    return embeddings.load_set("text")


@pytest.fixture
def at() -> AppTest:
    return run_app("views/embeddings.py", timeout=180)


def plain(text: str) -> str:
    """Markdown with its backslash escapes removed: the text as the reader sees it."""
    return re.sub(r"\\(.)", r"\1", text)


def shown(elements) -> list[str]:
    return [plain(e.value) for e in elements]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def arr(value) -> np.ndarray:
    """A figure array from the chart's JSON (plotly sends numpy arrays as base64 typed arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def chart(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_the_shipped_map_and_its_scores_are_shown(at, shipped):
    fig = chart(at)
    xs = np.concatenate([arr(t["x"]) for t in fig["data"] if t["name"] != "selected"])
    assert len(xs) == len(shipped.words)
    assert all(t["type"] == "scattergl" for t in fig["data"])
    assert metric(at, "Trustworthiness") == f"{shipped.maps['umap'].trustworthiness:.3f}"
    assert metric(at, "Held-out words rebuilt") == f"{shipped.metrics['heldout_exact']:.1%}"


def test_picking_a_word_shows_its_reconstruction_and_neighbours(at, shipped):
    word = "cats" if "cats" in shipped.words else shipped.words[10]
    i = shipped.words.index(word)
    at.selectbox(key="emb.pick.text").set_value(i).run()
    rebuilt = ae.reconstruct(shipped.model, [word])[0]
    assert any(f"Rebuilt from its code: **{rebuilt}**" in m.value for m in at.markdown)
    idx, _ = embeddings.neighbours(shipped.codes, shipped.codes[i], 10, exclude=i)
    table = at.dataframe[0].value
    assert list(table["word"]) == [shipped.words[j] for j in idx]


def test_typed_words_are_placed_without_moving_the_map(at, shipped):
    before = chart(at)["data"]
    at.text_input(key="emb.new").set_value("cat, Cats walking").run()
    assert not at.exception and not at.error
    data = chart(at)["data"]
    placed = next(t for t in data if t["name"] == "your words")
    assert placed["text"] == ["cat", "cats", "walking"]
    codes = ae.encode(shipped.model, ["cat", "cats", "walking"])
    assert np.allclose(np.c_[arr(placed["x"]), arr(placed["y"])],
                       projection.place(shipped.maps["umap"], codes), atol=1e-5)
    old = [arr(t["x"]) for t in before if t["name"] != "selected"]
    assert all(np.array_equal(a, arr(t["x"])) for a, t in zip(old, data, strict=False))
    table = at.dataframe[-1].value
    assert list(table["rebuilt from its code"]) == ae.reconstruct(shipped.model,
                                                                  ["cat", "cats", "walking"])


def test_bad_words_give_a_clear_error_and_keep_the_map(at):
    at.text_input(key="emb.new").set_value("caf\u00e9 42").run()
    assert not at.exception
    assert any("Not placed: café (é is not among its letters (a–z)), 42 (2, 4 are not among "
               "its letters" in e for e in shown(at.error))
    assert at.get("plotly_chart")


def test_one_long_word_does_not_stop_the_others_from_being_placed(at, shipped):
    at.text_input(key="emb.new").set_value("cat cats running xyzzy qwertyuiopasdfgh").run()
    assert not at.exception and not at.error
    placed = next(t for t in chart(at)["data"] if t["name"] == "your words")
    assert placed["text"] == ["cat", "cats", "running", "xyzzy"]
    assert len("qwertyuiopasdfgh") > shipped.model.config.max_len == 12
    assert shown(at.warning) == ["Not placed: qwertyuiopasdfgh (longer than 12 letters). The "
                                 "other words are."]
    codes = ae.encode(shipped.model, ["cat", "cats", "running", "xyzzy"])
    assert np.allclose(np.c_[arr(placed["x"]), arr(placed["y"])],
                       projection.place(shipped.maps["umap"], codes), atol=1e-5)


def test_one_word_past_the_placing_limit_is_named_and_the_rest_placed(at):
    words = [f"w{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}{chr(97 + i // 676)}"
             for i in range(embeddings.MAX_PLACED + 1)]
    at.file_uploader(key="emb.words.file").set_value(
        ("many.txt", "\n".join(words).encode(), "text/plain")).run()
    assert not at.exception and not at.error
    assert any(f"{embeddings.MAX_PLACED + 1:,} words: the first {embeddings.MAX_PLACED:,} are "
               "placed" in w for w in shown(at.warning))
    placed = next(t for t in chart(at)["data"] if t["name"] == "your words")
    assert placed["text"] == words[:embeddings.MAX_PLACED]


def test_search_highlights_the_matching_words(at, shipped):
    at.text_input(key="emb.search").set_value("ing").run()
    ring = next(t for t in chart(at)["data"] if t["name"].startswith("search"))
    assert sorted(ring["text"]) == sorted(w for w in shipped.words if "ing" in w)


def test_colour_by_length_uses_a_colour_bar(at, shipped):
    at.selectbox(key="emb.colour.text").set_value("length").run()
    base = chart(at)["data"][0]
    assert arr(base["marker"]["color"]).tolist() == [len(w) for w in shipped.words]


def test_recompute_with_pca_matches_the_engine(at, shipped):
    at.radio(key="emb.method").set_value("pca").run()
    at.button(key="emb.recompute").click().run()
    assert not at.exception
    ref = projection.project(shipped.codes, "pca")
    assert metric(at, "Trustworthiness") == f"{ref.trustworthiness:.3f}"
    assert "PCA" in chart(at)["layout"]["title"]["text"]


def test_recompute_with_new_umap_parameters_makes_a_new_map(at, shipped):
    at.radio(key="emb.method").set_value("umap").run()
    at.slider(key="emb.k").set_value(30).run()
    at.button(key="emb.recompute").click().run()
    assert not at.exception and not at.error
    assert "n_neighbors 30" in chart(at)["layout"]["title"]["text"]
    ref = projection.project(shipped.codes, "umap", seed=0, n_neighbors=30)
    assert metric(at, "Trustworthiness") == f"{ref.trustworthiness:.3f}"


def test_the_spoken_words_set_shows_frames_and_its_scores(at):
    spoken = embeddings.load_set("audio")
    at.radio(key="emb.set").set_value("audio").run()
    assert not at.exception and not at.error
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the map and the frames
    assert metric(at, "Same-word NN") == f"{spoken.metrics['nn_same_word']:.1%}"
    at.selectbox(key="emb.pick.audio").set_value(7).run()
    frames = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert spoken.labels[7] in frames["layout"]["title"]["text"]
    hover = [t for t in chart(at)["data"] if t["name"] == "selected"][0]["text"]
    assert hover == [spoken.labels[7]]


def npy(array: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def own_waves(n: int, seed: int) -> np.ndarray:
    """[n, 24, 2]: sines of three frequencies (random phase) beside a slow cosine."""
    rng, t = np.random.default_rng(seed), np.arange(24)
    return np.stack([np.c_[np.sin((0.15, 0.45, 0.9)[i % 3] * t + rng.uniform(0, 6)),
                           np.cos(0.1 * t)] for i in range(n)]).astype(np.float32)


def test_your_own_sequences_train_an_autoencoder_whose_map_you_see(at):
    from engine.uploads import parse

    at.radio(key="emb.set").set_value("own").run()
    assert at.button(key="emb.own.train").disabled and not at.get("plotly_chart")
    data = npy(own_waves(40, 0))
    at.file_uploader(key="emb.own.files").set_value([
        ("waves.npy", data, "application/octet-stream"),
        ("broken.csv", b"1,2\n3,x,4\n", "text/csv")]).run()
    assert not at.exception
    assert [e for e in shown(at.error) if "broken.csv" in e and "left out" in e], shown(at.error)
    assert any("**40 sequences** of 2 numbers per step, 24 steps long" in m.value
               for m in at.markdown)
    at.slider(key="emb.own.epochs").set_value(10).run()
    at.slider(key="emb.own.seconds").set_value(180).run()
    at.button(key="emb.own.train").click().run()
    assert not at.exception
    ref = embeddings.train_own(embeddings.own_data(parse(data, "waves.npy")),
                               embeddings.OwnSettings(epochs=10, max_seconds=180))
    s, names = at.session_state["emb.own.set"]
    assert names == "waves.npy" and np.allclose(s.codes, ref.codes, atol=1e-5)
    assert metric(at, "Held-out R²") == f"{ref.metrics['heldout_fit']:.3f}"
    assert any("10 epochs" in x.value for x in at.success)
    at.radio(key="emb.method").set_value("pca").run()
    at.button(key="emb.recompute").click().run()
    fig = chart(at)
    xs = np.concatenate([arr(t["x"]) for t in fig["data"] if t["name"] not in ("selected",)])
    assert np.allclose(np.sort(xs), np.sort(projection.project(ref.codes, "pca").coords[:, 0]),
                       atol=1e-3)
    # new sequences placed into the frozen map; a file of another width is refused
    at.file_uploader(key="emb.own.place.file").set_value(
        ("more.npy", npy(own_waves(4, 5)), "application/octet-stream")).run()
    placed = next(t for t in chart(at)["data"] if t["name"] == "your sequences")
    assert placed["text"] == [f"more[{i}]" for i in range(4)]
    assert list(at.dataframe[-1].value["nearest trained sequence"])[0].startswith("waves[")
    at.file_uploader(key="emb.own.place.file").set_value(
        ("wide.csv", b"1,2,3\n4,5,6\n", "text/csv")).run()
    assert any("Could not place wide.csv: wide has 3 features per step; the map was "
               "trained on 2" in e for e in shown(at.error))
    assert len(at.get("plotly_chart")) == 2  # the map and the sequence view are still there


def test_a_ready_example_is_used_without_a_download_until_files_are_uploaded(at):
    from engine.uploads import parse

    at.radio(key="emb.set").set_value("own").run()
    at.button(key="emb.own.use.waves.npz").click().run()
    assert not at.exception and not at.button(key="emb.own.train").disabled
    assert any("Using the example **waves.npz**" in m for m in shown(at.info))
    waves = parse(embeddings.own_examples()["waves.npz"], "waves.npz")
    n = len(embeddings.own_data(waves).items)
    assert n == len(waves) == 120
    assert any(f"**{n} sequences** of 1 number per step, 40 steps long, from 1 file." in m.value
               for m in at.markdown)
    at.button(key="emb.own.use.words.txt").click().run()
    assert any("Using the example **words.txt**" in m for m in shown(at.info))
    assert any(f"**{embeddings.OWN_WORDS_EXAMPLE:,} different words**" in m.value
               for m in at.markdown)
    at.file_uploader(key="emb.own.files").set_value(
        [("mine.npy", npy(own_waves(12, 0)), "application/octet-stream")]).run()
    assert not at.info and "emb.own.example" not in at.session_state
    assert any("**12 sequences** of 2 numbers per step" in m.value for m in at.markdown)


def test_too_few_sequences_say_how_many_are_needed(at):
    at.radio(key="emb.set").set_value("own").run()
    at.file_uploader(key="emb.own.files").set_value(
        [("few.npy", npy(own_waves(3, 0)), "application/octet-stream")]).run()
    assert not at.exception and at.button(key="emb.own.train").disabled
    assert any("found 3 sequences; an autoencoder needs at least 8" in e for e in shown(at.error))


def test_an_uploaded_word_list_is_placed_with_the_typed_words(at, shipped):
    at.text_input(key="emb.new").set_value("cat").run()
    at.file_uploader(key="emb.words.file").set_value(
        ("list.txt", b"Dogs\nwalking\ncat\n", "text/plain")).run()
    assert not at.exception and not at.error
    placed = next(t for t in chart(at)["data"] if t["name"] == "your words")
    assert placed["text"] == ["cat", "dogs", "walking"]  # lower-cased, each once
    codes = ae.encode(shipped.model, ["cat", "dogs", "walking"])
    assert np.allclose(np.c_[arr(placed["x"]), arr(placed["y"])],
                       projection.place(shipped.maps["umap"], codes), atol=1e-5)
    at.file_uploader(key="emb.words.file").set_value(("bad.txt", b"caf\xc3\xa9 ok",
                                                      "text/plain")).run()
    assert any("Not placed: café (é is not among its letters" in w for w in shown(at.warning))
    placed = next(t for t in chart(at)["data"] if t["name"] == "your words")
    assert placed["text"] == ["cat", "ok"]  # the others are placed
    assert len(at.get("plotly_chart")) == 1  # the map stays


def test_several_recordings_are_placed_and_each_can_be_seen(at):
    from engine.uploads import example

    spoken = embeddings.load_set("audio")
    at.radio(key="emb.set").set_value("audio").run()
    _, wav = example(".wav")
    at.file_uploader(key="emb.wav").set_value([("a.wav", wav, "audio/wav"),
                                               ("b.wav", wav, "audio/wav"),
                                               ("junk.wav", b"RIFF0000WAVEjunk", "audio/wav")]
                                              ).run()
    assert not at.exception
    assert any("Could not place junk.wav" in e for e in shown(at.error))
    placed = next(t for t in chart(at)["data"] if t["name"] == "your recordings")
    assert placed["text"] == ["a.wav", "b.wav"]
    want = embeddings.place_recording(spoken, wav, spoken.maps["umap"])[1][0]
    assert np.allclose([arr(placed["x"])[0], arr(placed["y"])[0]], want, atol=1e-5)
    at.selectbox(key="emb.wav_pick").set_value(1).run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert "your recording: b.wav" in titles


def test_one_recording_past_the_limit_is_named_and_the_rest_placed(at):
    from engine.uploads import example

    at.radio(key="emb.set").set_value("audio").run()
    _, wav = example(".wav")
    n = embeddings.MAX_RECORDINGS + 1
    at.file_uploader(key="emb.wav").set_value(
        [(f"r{i}.wav", wav, "audio/wav") for i in range(n)]).run()
    assert not at.exception and not at.error
    assert any(f"{n} recordings: the first {n - 1} are placed" in w for w in shown(at.warning))
    placed = next(t for t in chart(at)["data"] if t["name"] == "your recordings")
    assert placed["text"] == [f"r{i}.wav" for i in range(n - 1)]


def test_typed_text_is_shown_as_text_never_as_markup(at):
    import markup

    link = "[click](http://evil.example)"
    at.text_input(key="emb.new").set_value(f"{link} cat").run()
    at.text_input(key="emb.search").set_value("*ing*").run()
    assert not at.exception
    warning = [w.value for w in at.warning if "Not placed" in w.value][0]
    assert markup.md(link.lower()) in warning and link not in warning
    assert any(markup.md("“*ing*”") in c.value for c in at.caption)


def test_the_map_shows_user_text_literally_and_keeps_its_legend_below():
    from figures.embeddings import MAP_HEIGHT, embedding_figure, frames_figure

    coords = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
    words = [f"w{i}" for i in range(29)] + ['<a href="x">click</a>']
    groups = [chr(97 + i % 27) for i in range(30)]  # 27 categories
    fig = embedding_figure(coords, words, groups, "group", selected=29,
                           new_coords=coords[:1], new_words=["<b>bold</b>"])
    data = {t.name: t for t in fig.data}
    assert data["selected"].text == ("&lt;a href=\"x\"&gt;click&lt;/a&gt;",)
    assert data["your words"].text == ("&lt;b&gt;bold&lt;/b&gt;",)
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "top"
    few = embedding_figure(coords, words, ["x"] * 30, "group")
    # the figure grows by the legend's rows: the map's own height stays MAP_HEIGHT or more
    assert fig.layout.height > few.layout.height >= MAP_HEIGHT
    title = frames_figure(np.zeros((3, 2)), np.zeros((3, 2)), "<i>my.wav</i>", own=True)
    assert title.layout.title.text == "&lt;i&gt;my.wav&lt;/i&gt;"


def test_the_spoken_map_and_its_frames_speak_chinese_with_lang_zh_tw():
    """With ?lang=zh-TW the legend, hover, table, metrics and the frames' titles and axes are
    Chinese; the points are the engine's (each split's count as in the set's metadata)."""
    spoken = embeddings.load_set("audio")
    at = run_app("views/embeddings.py", timeout=180, lang="zh-TW")
    at.radio(key="emb.set").set_value("audio").run()
    at.selectbox(key="emb.colour.audio").set_value("split").run()
    assert not at.exception and not at.error
    figure, frames = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    traces = {t["name"]: t for t in figure["data"]}
    assert set(traces) == {"訓練", "留作測試的聲音", "選取的點"}
    for name, value in (("訓練", "train"), ("留作測試的聲音", "held-out voice")):
        assert len(arr(traces[name]["x"])) == spoken.meta["split"].count(value)
        assert "訓練／測試: " + name in traces[name]["hovertemplate"]
    assert figure["layout"]["legend"]["title"]["text"] == "訓練／測試"
    layout = frames["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["語音（正規化 log-mel）", "從編碼還原"]
    assert layout["xaxis2"]["title"]["text"] == "幀（20 毫秒）"
    assert layout["yaxis"]["title"]["text"] == "mel 頻帶"
    assert frames["data"][0]["hovertemplate"].startswith("第 %{x} 幀 · 頻帶 %{y}")
    assert [m.label for m in at.metric] == ["可信度", "同字最近鄰"]
    assert list(at.dataframe[0].value.columns) == ["單字", "聲音", "餘弦", "圖上距離"]
    assert at.query_params["lang"] == "zh-TW"
