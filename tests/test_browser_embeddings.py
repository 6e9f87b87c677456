"""The embeddings page in the real browser: the map draws, your words are placed, PCA recomputes."""

from __future__ import annotations

import pytest
from harness import assert_clean, open_page, wait_settled

pytestmark = pytest.mark.browser


def test_place_words_and_switch_to_pca(page, server):
    open_page(page, server, "embeddings")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    assert "UMAP" in page.inner_text('[data-testid="stPlotlyChart"]')
    box = page.get_by_role("textbox", name="Place your own words")
    box.fill("cat cats walking")
    box.press("Enter")
    page.wait_for_function("() => document.body.innerText.includes('placed into the frozen map')",
                           timeout=60_000)
    wait_settled(page)
    assert page.locator('[data-testid="stPlotlyChart"]').inner_text().count("walking") >= 1
    page.get_by_text("Map: UMAP or PCA").click()
    page.get_by_text("PCA", exact=True).click()
    wait_settled(page)
    page.get_by_role("button", name="Recompute map").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gtitle')].some(t => t.textContent.includes('PCA'))",
        timeout=60_000)
    wait_settled(page)
    assert_clean(page, server)


def test_spoken_words_show_their_map_and_frames(page, server):
    open_page(page, server, "embeddings")
    page.get_by_text("Spoken words (log-mel frames)").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 2",
        timeout=60_000)
    wait_settled(page)
    text = page.inner_text("body")
    assert "rebuilt from the code" in text and "1,440 spoken words" in text
    assert_clean(page, server)


def test_clicking_a_point_picks_its_word(page, server):
    open_page(page, server, "embeddings")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=60_000)
    # the whole map (legend below it) is taller than some screens: bring it into view
    page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first.evaluate(
        "gd => gd.scrollIntoView()")
    page.wait_for_timeout(500)
    target = page.evaluate("""() => {
      const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
      const L = gd._fullLayout, r = gd.getBoundingClientRect();
      const px = (t, i) => [r.left + L._size.l + L.xaxis.l2p(t.x[i]),
                            r.top + L._size.t + L.yaxis.l2p(t.y[i])];
      const all = gd._fullData.flatMap(t => [...t.x].map((_, i) => px(t, i)));
      const t = gd._fullData[0];
      for (let i = 0; i < t.x.length; i++) {  // a point no other point lies on
        const [x, y] = px(t, i);
        const near = all.filter(([a, b]) => Math.hypot(a - x, b - y) < 8).length;
        if (near === 1 && y > 0 && y < window.innerHeight) return {x, y, word: t.text[i]};
      }
    }""")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function(
        "w => document.body.innerText.includes('Nearest codes to “' + w + '”')", arg=target["word"],
        timeout=60_000)
    wait_settled(page)
    assert_clean(page, server)


def test_an_uploaded_recording_is_placed_and_rebuilt(page, server, tmp_path):
    import io
    import wave

    import numpy as np

    rate = 16000
    t = np.arange(int(rate * 0.4)) / rate
    tone = 0.3 * (np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 1200 * t))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.round(tone * 32767).astype("<i2").tobytes())
    path = tmp_path / "hum.wav"
    path.write_bytes(buf.getvalue())
    open_page(page, server, "embeddings")
    page.get_by_text("Spoken words (log-mel frames)").click()
    wait_settled(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.wait_for_function(
        "() => document.body.innerText.includes('your recording: hum.wav')", timeout=60_000)
    wait_settled(page)
    assert "hum.wav" in page.locator('[data-testid="stPlotlyChart"]').first.inner_text()
    assert_clean(page, server)


def test_your_own_sequences_train_stop_and_map(page, server, tmp_path):
    import numpy as np

    rng, t = np.random.default_rng(0), np.arange(24)
    waves = np.stack([np.c_[np.sin((0.15, 0.45, 0.9)[i % 3] * t + rng.uniform(0, 6)),
                            np.cos(0.1 * t)] for i in range(30)]).astype(np.float32)
    path = tmp_path / "waves.npy"
    np.save(path, waves)
    open_page(page, server, "embeddings")
    page.get_by_text("Your sequences (upload and train)").click()
    wait_settled(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(path))
    page.wait_for_function("() => document.body.innerText.includes('30 sequences')",
                           timeout=60_000)
    wait_settled(page)
    page.get_by_role("button", name="Train autoencoder").click()
    page.get_by_role("button", name="Stop").click(timeout=60_000)
    page.wait_for_function("() => document.body.innerText.includes('stopped early')",
                           timeout=120_000)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=120_000)
    wait_settled(page, timeout=120_000)
    assert "waves[0]" in page.inner_text("body")  # the picked point, its neighbours and view
    assert len(page.locator('[data-testid="stPlotlyChart"]').all()) == 2
    assert_clean(page, server)


PLOT_AREA = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  const s = gd._fullLayout._size;
  return {w: s.w, h: s.h, width: gd.getBoundingClientRect().width};
}"""
CUT_TEXT = """() => [...document.querySelectorAll(['[data-testid="stMetricLabel"] *',
    '[data-testid="stMetricValue"] *', '[data-testid="stCaptionContainer"] *'].join(','))]
  .filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent)"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_many_categories_keep_the_map_its_size_and_no_text_is_cut(page, server, width):
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{server.url}/embeddings")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .js-plotly-plot', timeout=120_000)
    wait_settled(page, timeout=120_000)
    areas = {}
    for colour in ("first letter", "split", "length"):  # 26 letters; 2 groups; a colour bar
        page.get_by_role("combobox", name="Colour by").click()
        page.get_by_role("option", name=colour, exact=True).click()
        wait_settled(page, timeout=120_000)
        page.wait_for_timeout(500)
        areas[colour] = page.evaluate(PLOT_AREA)
        assert page.evaluate(CUT_TEXT) == [], colour
    for colour, area in areas.items():
        # the legend or colour bar sits below the map, not beside it: the map keeps its width,
        # and the figure grows by the legend's rows, so it is not squeezed shorter either
        assert area["w"] >= 0.9 * area["width"], (colour, area)
        assert area["h"] >= 0.95 * areas["split"]["h"] and area["h"] >= 560, areas
    assert_clean(page, server)
