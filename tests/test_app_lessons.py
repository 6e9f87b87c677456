"""Lessons in the app (AppTest): every scene of every shipped lesson opens on its page in its
state, the lesson bar moves, a question's answer is not in the page until someone answers, and
the gradient, CTC and embeddings labs keep their state in the link."""

from __future__ import annotations

import json
import math

import pytest
from apptest import (
    browser_markdown,
    browser_stepper,
    run_app,
    shown,
    step_frame,
    step_line,
    step_to,
)

from lesson_files import PAGES, shipped

SCENES = [(lesson_id, n) for lesson_id, item in shipped().items()
          for n in range(1, len(item.scenes) + 1)]


def texts(at) -> str:
    """Everything the page wrote as markdown, captions, metrics, alerts and LaTeX."""
    parts = [shown(e.value) for kind in ("markdown", "caption", "success", "warning", "error",
                                         "info", "latex") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    if _has_stepper(at):  # the browser stepper's current step: its line, story and equations
        parts += [step_line(at), browser_markdown(step_frame(at)["story"]), step_frame(at)["tex"]]
    return "\n".join(parts)


def _has_stepper(at) -> bool:
    try:
        browser_stepper(at)
    except AssertionError:
        return False
    return True


def received(at) -> str:
    """Everything the page sent, the browser stepper's data included: every step line, story,
    equation and diagram label of every step it was given (read as markdown), and its raw JSON."""
    parts = [texts(at)]
    if _has_stepper(at):
        data = browser_stepper(at)
        parts += [browser_markdown(line) for line in data["lines"]]
        parts += [browser_markdown(f["story"]) + "\n" + f["tex"] for f in data["frames"]]
        parts += [browser_markdown(str(e["text"])) for e in data["elements"] if "text" in e]
        parts += [data["note"], data["held"], json.dumps(data, ensure_ascii=False)]
    return "\n".join(parts)


def bar(at) -> str:
    return next((shown(m.value) for m in at.markdown if "· scene " in m.value), "")


@pytest.mark.parametrize(("lesson_id", "n"), SCENES)
def test_every_scene_opens_cold(lesson_id, n):
    """Opened from the home page's address (a new browser): the scene's page, its state in the
    link, no parameter ignored, the bar says where we are."""
    item = shipped()[lesson_id]
    scene = item.scenes[n - 1]
    at = run_app(None, lesson=lesson_id, scene=str(n))
    assert at.title[0].value == PAGES[scene.page].title
    assert not [t.value for t in at.toast if "Ignored" in t.value]
    assert f"scene {n} of {len(item.scenes)}" in bar(at)
    link = dict(at.query_params)
    assert link["lesson"] == lesson_id and link["scene"] == str(n)
    for name, value in scene.params.items():  # the page keeps what the scene set
        assert link.get(name, value) == value, name


def test_the_bar_moves_and_each_scene_brings_its_own_state():
    at = run_app(None, lesson="lstm-memory-cell", scene="4")
    assert "scene 4 of 6" in bar(at) and "**Step 6 of 9**" in texts(at)
    at.button(key="lesson.next").click().run()
    assert "scene 5 of 6" in bar(at) and "**Step 9 of 9**" in texts(at)
    assert at.query_params["scene"] == ["5"] or at.query_params["scene"] == "5"
    at.button(key="lesson.prev").click().run()
    at.button(key="lesson.prev").click().run()
    assert "scene 3 of 6" in bar(at) and "**Step 4 of 5**" in texts(at)
    assert at.button(key="lesson.next").proto.shortcut.lower().endswith("pagedown")
    assert at.button(key="lesson.prev").proto.shortcut.lower().endswith("pageup")


def test_scene_change_keeps_the_language():
    at = run_app(None, lesson="lstm-memory-cell", scene="4", lang="zh-TW")
    at.button(key="lesson.next").click().run()
    assert at.query_params["scene"] in ("5", ["5"])
    assert at.session_state["i18n.lang"] == "zh-TW" and at.query_params["lang"] in ("zh-TW",
                                                                                   ["zh-TW"])
    at.button(key="lesson.prev").click().run()  # the language switch kept its state
    assert at.session_state["i18n.lang"] == "zh-TW"


def test_scene_change_forgets_what_the_user_changed():
    at = run_app(None, lesson="arrive-leave-taipei", scene="3")
    at.text_input(key="slots.a").set_value("arrive Tokyo").run()
    at.button(key="lesson.next").click().run()
    assert at.text_input(key="slots.a").value == "arrive Kaohsiung on November 2nd"


def test_close_leaves_the_page_as_it_is():
    at = run_app(None, lesson="lstm-memory-cell", scene="5")
    at.button(key="lesson.close").click().run()
    assert not bar(at) and "lesson" not in at.query_params
    assert "**Step 9 of 9**" in texts(at)


def test_unknown_lesson_and_scene_are_named():
    at = run_app(None, lesson="no-such-lesson", scene="2")
    assert any("lesson" in t.value for t in at.toast) and not bar(at)
    at = run_app(None, lesson="lstm-memory-cell", scene="99")
    assert any("scene" in t.value for t in at.toast) and "scene 1 of 6" in bar(at)


def test_memory_answer_absent_before_answering_and_present_after():
    """The lecture's image-9: [4, 1, 0] takes the memory from 3 to 7."""
    at = run_app(None, lesson="lstm-memory-cell", scene="2")
    before = received(at)
    assert "**Step 1 of 5**" in texts(at) and "Step 2 of 5" not in before
    assert "input x = [4, 1, 0]" not in before
    assert r"\begin{bmatrix}4 & 1 & 0\end{bmatrix}" not in before and "= 7" not in before
    data = browser_stepper(at)  # the browser gets step 1 only: it cannot step past it
    assert (data["steps"], data["total"], len(data["frames"]), len(data["lines"])) == (1, 5, 1, 1)
    assert "waits for the answer" in data["held"]
    step_to(at, 2)  # a step the browser was not given is not shown either
    assert browser_stepper(at)["step"] == 1 and "Step 2 of 5" not in received(at)
    assert "Over time" in [t.label for t in at.tabs]
    wrong = next(b for b in at.button if b.label == "3")
    wrong.click().run()
    after = texts(at)
    assert "Not quite" in after and "from 3 to 7" in after
    assert "**Step 2 of 5** · input x = [4, 1, 0]" in after
    assert "4 \\cdot 1.000 + 3 \\cdot 1.000 = 7" in after  # c' = g(z)σ(z_i) + cσ(z_f)


def test_forget_question_with_forget_bias_minus_ten():
    """z_f = 100·x2 − 10 with x2 = 0 at step 3: σ(−10) ≈ 4.5e−5, the gate erases."""
    at = run_app(None, lesson="lstm-memory-cell", scene="6")
    assert "Step 3 of 5" not in received(at) and browser_stepper(at)["steps"] == 2
    next(b for b in at.button if b.label == "erase").click().run()
    after = texts(at)
    assert "Right" in after and "**Step 3 of 5**" in after
    assert f"{1 / (1 + math.exp(10)):.3f}" in after


def test_path_verdict_absent_before_answering():
    """好φ棒棒φφφφ collapses (merge repeats, then drop φ) to 好棒, not 好棒棒: not valid."""
    path = "好φ棒棒φφφφ"
    merged = "".join(c for k, c in enumerate(path) if k == 0 or c != path[k - 1])
    merged = merged.replace("φ", "")
    assert merged == "好棒"
    at = run_app(None, lesson="ctc-haobangbang", scene="3")
    before = texts(at)
    assert "not an alignment" not in before and "collapses to" not in before
    assert not at.success and not at.warning
    next(b for b in at.button if b.label == "not valid").click().run()
    after = texts(at)
    assert "Right" in after and f"collapses to “{merged}”" in after


def test_power_answer_absent_before_answering():
    """1.01^999 ≈ 2.07·10⁴ (the lecture's ≈20000)."""
    at = run_app(None, lesson="hard-to-train", scene="1")
    assert not [m for m in at.metric if m.label.startswith("y after")]
    next(b for b in at.button if b.label.startswith("huge")).click().run()
    assert "Right" in texts(at)
    y = next(m for m in at.metric if m.label.startswith("y after"))
    assert f"{1.01 ** 999 / 1e4:.2f}" in y.value


def test_slot_answer_absent_before_answering():
    at = run_app(None, lesson="arrive-leave-taipei", scene="1")
    assert "Word 2" not in texts(at) and not at.dataframe
    assert browser_stepper(at)["steps"] == 1  # the browser has word 1 only: no Next
    next(b for b in at.button if b.label == "origin").click().run()
    data = browser_stepper(at)
    frame = data["frames"][data["step"] - 1 - data["first"]]
    slot = {data["elements"][i]["name"]: data["elements"][i]["text"] for i in frame["d"]
            if "name" in data["elements"][i] and "text" in data["elements"][i]}
    assert "Word 2 of 5" in step_line(at) and "Taipei" in slot["B-word"] and at.dataframe
    # The lecture's point: one word at a time, so "Taipei" gets one slot in both sentences.
    assert slot["A-slot"] == slot["B-slot"]


def test_gradient_lab_link_state():
    at = run_app("views/gradients.py", tab="cliff", w="0.99", T="500", w0="4", b0="-1",
                 lr="2", clip="0.1", steps="50", nT="300", hidden="16", radius="1.5",
                 bf="-3", nseed="7")
    assert not at.toast
    assert at.slider(key="grad.w").value == 0.99 and at.slider(key="grad.T").value == 500
    assert at.number_input(key="grad.w0").value == 4 and at.number_input(key="grad.b0").value == -1
    assert at.select_slider(key="grad.lr").value == 2 and at.slider(key="grad.norm_bf").value == -3
    link = dict(at.query_params)
    assert {k: link[k] for k in ("tab", "w", "T", "lr", "clip", "nT", "hidden", "bf")} == {
        "tab": "cliff", "w": "0.99", "T": "500", "lr": "2", "clip": "0.1", "nT": "300",
        "hidden": "16", "bf": "-3"}


def test_gradient_lab_ignores_values_off_its_controls():
    at = run_app("views/gradients.py", w="0.9999", lr="3", hidden="17", tab="x")
    toast = " ".join(t.value for t in at.toast)
    for name in ("w", "lr", "hidden", "tab"):
        assert name in toast
    assert at.slider(key="grad.w").value == 1.01


def test_ctc_lab_link_state():
    at = run_app("views/ctc.py", tab="align", target="hello", T="12", path="h-e-l-l-o")
    assert not at.toast
    assert at.text_input(key="ctc.target").value == "hello"
    assert at.number_input(key="ctc.T").value == 12
    assert at.text_input(key="ctc.path").value == "h-e-l-l-o"
    assert "not an alignment of “hello” at T = 12" in texts(at)  # 9 frames, not 12
    at = run_app("views/ctc.py", tab="model", digits="1x", epoch="77777", beam="99")
    toast = " ".join(t.value for t in at.toast)
    assert "digits" in toast and "epoch" in toast and "beam" in toast


def test_embeddings_lab_link_state():
    at = run_app("views/embeddings.py", data="text", colour="suffix", word="abbot",
                 search="ing")
    assert not at.toast
    link = dict(at.query_params)
    assert link["colour"] == "suffix" and link["word"] == "abbot" and link["search"] == "ing"
    at = run_app("views/embeddings.py", data="text", colour="nope", word="zzzzqq")
    toast = " ".join(t.value for t in at.toast)
    assert "colour" in toast and "word" in toast


def test_lesson_from_here_writes_the_page_state():
    at = run_app("views/slots.py", tagger="jordan", step="3")
    code = next(c.value for c in at.code if "[[scene]]" in c.value)
    assert 'page = "slots"' in code and 'tagger = "jordan"' in code and 'step = "3"' in code


def test_home_lists_every_shipped_lesson():
    at = run_app()
    page = texts(at)
    for item in shipped().values():
        assert item.title in page and f"?lesson={item.id}&scene=1" in [c.value for c in at.code]


def zh(text: str) -> str:
    """`text` as the zh-TW catalog has it."""
    import i18n

    with i18n.using("zh-TW"):
        return i18n._(text)


def test_a_scene_with_lang_zh_tw_shows_its_chinese_title_note_and_bar():
    item = shipped()["lstm-memory-cell"]
    at = run_app(None, lesson="lstm-memory-cell", scene="2", lang="zh-TW")
    title, note = zh(item.title), zh(item.scenes[1].note)
    assert title == "LSTM 的記憶單元，一步一步來" and "**[4, 1, 0]**" in note
    bar_line = next(shown(m.value) for m in at.markdown if title in m.value)
    assert bar_line == f"**{title}** · 第 2／6 幕"
    assert note in [m.value for m in at.markdown] and item.scenes[1].note not in received(at)
    labels = {at.button(key=k).label for k in ("lesson.prev", "lesson.next", "lesson.close")}
    assert labels == {"上一幕", "下一幕", "離開"}
    at.button(key="lesson.next").click().run()  # the next scene keeps the language
    assert any(f"**{title}** · 第 3／6 幕" == shown(m.value) for m in at.markdown)


def test_a_question_asks_and_answers_in_chinese():
    """The lecture's image-9 in Chinese: the memory goes from 3 to 7 at step 2."""
    at = run_app(None, lesson="lstm-memory-cell", scene="2", lang="zh-TW")
    page = texts(at)
    assert "**先預測，再揭曉。** 第 2 步之後，記憶是多少？" in page
    assert "答案還不在頁面上：選一個就會揭曉。" in page and "從 3 變成 7" not in page
    next(b for b in at.button if b.label == "7").click().run()
    assert [shown(s.value) for s in at.success if "答對了" in s.value] == [
        "答對了：你選了 **7**。在第 2 步，記憶從 3 變成 7。"]


def test_the_forget_gate_question_in_chinese_keeps_its_verdict_across_a_switch():
    """Forget bias −10 with x2 = 0: σ(−10) ≈ 0.000, the gate erases (清除)."""
    at = run_app(None, lesson="lstm-memory-cell", scene="6", lang="zh-TW")
    choices = [b.label for b in at.button if b.key and ".choice." in b.key]
    assert choices == ["保留", "清除"]
    next(b for b in at.button if b.label == "清除").click().run()
    verdict = next(shown(s.value) for s in at.success)
    assert verdict.startswith("答對了：你選了 **清除**。在第 3 步，遺忘閘 σ(z_f) = "
                              f"{1 / (1 + math.exp(10)):.3f}：關閉")
    at.sidebar.get("button_group")[0].set_value("en").run()  # the answer is kept, not its words
    assert any(s.value.startswith("Right: you picked **erase**.") for s in at.success)


def test_an_uploaded_lesson_is_shown_as_written_and_refused_in_chinese():
    """A teacher's file is never looked up in the catalog, even when its words are a msgid;
    its errors name the scene and the key in the reader's language."""
    at = run_app(lang="zh-TW")
    own = ('title = "The LSTM memory cell, step by step"\n[[scene]]\npage = "stepper"\n'
           'note = "Why RNNs are hard to train"\n')
    at.file_uploader(key="lesson.file").set_value(("mine.toml", own.encode(), "text/plain")).run()
    assert any(shown(s.value) == "「The LSTM memory cell, step by step」：1 幕，檢查通過。"
               for s in at.success)
    at.button(key="lesson.start_uploaded").click().run()
    assert not at.exception
    bar_line = next(shown(m.value) for m in at.markdown if "第 1／1 幕" in m.value)
    assert bar_line == "**The LSTM memory cell, step by step** · 第 1／1 幕"
    assert "Why RNNs are hard to train" in [shown(m.value) for m in at.markdown]
    at = run_app(lang="zh-TW")
    bad = 'title = "x"\n[[scene]]\npage = "stepper"\n[[scene]]\npage = "nowhere"\n'
    at.file_uploader(key="lesson.file").set_value(("bad.toml", bad.encode(), "text/plain")).run()
    error = shown(at.error[0].value)
    assert error.startswith("這不是本程式能執行的教案：bad.toml：第 2 幕 的鍵「page」：")
    assert "「nowhere」不是一個頁面" in error


def test_the_keys_dialog_in_chinese():
    at = run_app("views/stepper.py", lang="zh-TW")
    assert at.button(key="keys-open").label == "按鍵"
    at.button(key="keys-open").click().run()
    table = next(shown(m.value) for m in at.markdown if "| 按鍵 | 作用 |" in m.value)
    rows = [[cell.strip() for cell in row.split("|")[1:3]] for row in table.splitlines()[2:]]
    assert rows == [["← / →", "上一步／下一步"], ["Home / End", "第一步／最後一步"],
                    ["空白鍵", "播放／暫停：以選定的速度前進到下一步"],
                    ["P", "開啟／關閉簡報模式"], ["?", "這份按鍵清單"], ["Esc", "關閉這份清單"]]
    assert any("游標在文字框或數字框裡時按鍵沒有作用" in c.value for c in at.caption)
