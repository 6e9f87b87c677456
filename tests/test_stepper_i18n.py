"""The LSTM step-through in Chinese (zh-TW): the lecture's numbers survive translation, the
browser stepper's own words follow the language, the figures' words are Chinese and the cached
frames are kept per language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import torch
from apptest import browser_markdown, browser_stepper, run_app, step_frame, step_line, step_to
from test_i18n import CJK, english_runs, figure_words

import i18n
from engine import lee
from engine.trace import trace
from figures.animation import memory_animation
from figures.cell_diagram import CHAR_EM, UNIT_PX, WIDTH, cell_canvas
from figures.timeline import state_heatmaps, state_lines

HTML = Path(__file__).resolve().parents[1] / "app" / "components" / "browser_stepper" / \
    "stepper.html"
PLAY_WORDS = {"en": ("First", "Previous", "Play", "Next", "Last"),
              "zh-TW": ("開頭", "上一步", "播放", "下一步", "結尾")}


def walkthrough_trace():
    with torch.no_grad():
        return trace(lee.lecture_lstm(), lee.LECTURE_WALKTHROUGH)


def test_the_walkthrough_story_in_chinese_keeps_the_lectures_numbers():
    """NOTES.md: [3,1,0], [4,1,0], [2,0,0], [1,0,1], [3,−1,0] give memory 3, 7, 7, 7, 0 and
    outputs ≈ 0, 0, 0, 7, 0; the Chinese story says the same numbers in the same places."""
    at = run_app("views/stepper.py", lang="zh-TW", seq="walkthrough")
    memory, outputs = [3, 7, 7, 7, 0], [0, 0, 0, 7, 0]  # NOTES.md, the step-by-step slides
    assert lee.LECTURE_WALKTHROUGH_MEMORY.tolist() == memory
    assert lee.LECTURE_WALKTHROUGH_OUTPUTS.tolist() == outputs
    before = [0, *memory[:-1]]
    for k in range(5):
        step_to(at, k + 1)
        assert step_line(at).startswith(f"**第 {k + 1} 步，共 5 步**")
        story = browser_markdown(step_frame(at)["story"])
        remembered = re.search(r"記憶\*\* (\S+) → \*\*(\S+)\*\*", story)
        assert remembered, story
        assert float(remembered[1]) == before[k] and float(remembered[2]) == memory[k], story
        said = re.search(r"輸出 a = (-?\d+(?:\.\d+)?)", story)
        assert said and float(said[1]) == outputs[k], story
        assert "輸入閘" in story and "遺忘閘" in story and "輸出閘" in story
        assert not english_runs([story]), story
    # the lecture's reset step: the forget gate is closed and erases the memory 7
    assert "**遺忘閘**關上（0.000）：清除記憶 7。" in story


def test_the_browser_steppers_buttons_follow_the_language():
    chinese = browser_stepper(run_app("views/stepper.py", lang="zh-TW"))["words"]
    english = browser_stepper(run_app("views/stepper.py"))["words"]
    keys = ("first", "prev", "play", "next", "last")
    assert tuple(chinese[k] for k in keys) == PLAY_WORDS["zh-TW"]
    assert tuple(english[k] for k in keys) == PLAY_WORDS["en"]
    assert all(CJK.search(w) for w in chinese.values())
    assert not any(CJK.search(w) for w in english.values())
    assert chinese["step_of"].format(step=2, steps=5) == "第 2 步，共 5 步"


def test_every_word_of_the_stepper_html_has_its_translation_sent():
    """stepper.js replaces each [data-w], [data-w-title] and [data-w-aria] of stepper.html by
    the word of that name; the English stays only where Python sent none."""

    class Names(HTMLParser):
        found: set[str] = set()

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name in ("data-w", "data-w-title", "data-w-aria"):
                    self.found.add(value)

    parser = Names()
    parser.feed(HTML.read_text(encoding="utf-8"))
    words = browser_stepper(run_app("views/stepper.py", lang="zh-TW"))["words"]
    assert len(parser.found) >= 15
    assert parser.found <= set(words), parser.found - set(words)
    js = (HTML.parent / "stepper.js").read_text(encoding="utf-8")
    for name in ("pause", "play", "step_of", "loading", "mark"):  # words stepper.js says itself
        assert f'"{name}"' in js and name in words


def test_a_language_switch_redraws_the_cached_steps_in_the_new_language():
    at = run_app("views/stepper.py", seq="walkthrough", step="2")
    assert "Memory** 3 → **7**" in browser_markdown(step_frame(at)["story"])
    at.sidebar.get("button_group")[0].set_value("zh-TW").run()
    assert "記憶** 3 → **7**" in browser_markdown(step_frame(at)["story"])
    assert step_line(at).startswith("**第 2 步，共 5 步** · 輸入 x = [4, 1, 0]")
    assert at.title[0].value == "LSTM 逐步執行"
    at.sidebar.get("button_group")[0].set_value("en").run()
    assert "Memory** 3 → **7**" in browser_markdown(step_frame(at)["story"])
    assert browser_stepper(at)["words"]["play"] == "Play"


def test_the_diagram_names_the_gates_as_the_lecture_does():
    tr = walkthrough_trace()
    with i18n.using("zh-TW"):
        canvas, _values = cell_canvas(tr, 4, 0)  # [3, −1, 0]: the forget gate erases 7
    labels = {a.get("name"): a["text"] for a in canvas.annotations if a.get("name")}
    assert labels["i-state"] == "<b>輸入閘</b>：<b>關上</b>"
    assert labels["f-state"] == "<b>遺忘閘</b>：<b>清除記憶</b>"
    assert labels["o-state"] == "<b>輸出閘</b>：<b>關上</b>"
    assert labels["header"] == "<b>第 5 步，共 5 步</b>"
    assert labels["c-prev"] == "之前：c<sub>t−1</sub> = 7"
    assert "記憶 c" in [re.sub(r"<[^>]+>", "", a["text"]) for a in canvas.annotations]


def test_chinese_labels_stay_inside_the_drawing_for_every_kind():
    """Every Chinese label of the diagram, at its estimated width (a Chinese character 1 em, a
    space 0.3 em, anything else a bold digit's CHAR_EM), lies inside the canvas: nothing is cut
    at its edges."""

    def em(line: str) -> float:
        text = re.sub(r"<[^>]+>", "", line)
        return sum(1.0 if CJK.search(ch) or ch in "：，（）" else 0.3 if ch == " " else CHAR_EM
                   for ch in text)

    torch.manual_seed(0)
    x = torch.randn(4, 3)
    models = {"lstm": torch.nn.LSTM(3, 2), "gru": torch.nn.GRU(3, 2), "rnn": torch.nn.RNN(3, 2)}
    traces = [walkthrough_trace()] + [trace(m, x) for m in models.values()]
    with torch.no_grad(), i18n.using("zh-TW"):
        for tr in traces:
            for t in range(tr.steps):
                canvas, _values = cell_canvas(tr, t, 0)
                for a in canvas.annotations:
                    if a.get("showarrow") or not CJK.search(a.get("text", "")):
                        continue
                    size = a.get("font", {}).get("size", 14)
                    width = max(map(em, a["text"].split("<br>"))) * size / UNIT_PX
                    left = {"left": a["x"], "right": a["x"] - width}.get(
                        a.get("xanchor"), a["x"] - width / 2)
                    assert left >= -0.05 and left + width <= WIDTH + 0.05, (tr.kind, a["text"])


def test_the_time_and_animation_figures_speak_chinese():
    tr = walkthrough_trace()
    with i18n.using("zh-TW"):
        figures = [state_lines(tr, 1), state_heatmaps(tr, 1), memory_animation(tr)]
    texts = []
    for fig in figures:
        texts += figure_words(fig)
        menus = fig.to_plotly_json()["layout"].get("updatemenus", [])
        texts += [b["label"] for menu in menus for b in menu["buttons"]]
    assert sum(bool(CJK.search(t)) for t in texts) >= 15
    plain = [re.sub(r"<[^>]+>|%\{[^}]*\}", " ", t) for t in texts]
    assert not english_runs(plain), english_runs(plain)
    assert "輸入閘" in " ".join(texts) and "記憶 c" in " ".join(texts)
