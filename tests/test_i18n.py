"""The Chinese (zh-TW) interface: a complete catalog, every wrapped string in it, the translated
pages Chinese with ?lang=zh-TW and English without it, and the language kept across pages and
in the links the app writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from apptest import browser_markdown, browser_stepper, run_app, shown
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

import i18n
from labs import LABS

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "app" / "locales" / "zh_TW" / "LC_MESSAGES" / "rnnlab.po"
# every page of the app: home and each lab (a new lab joins this list through labs.LABS)
TRANSLATED = ("views/home.py", *(lab.page for lab in LABS))
# Names, units and code kept in English in the Chinese pages, as the lecture's notes keep them.
NAMES = {"LSTM", "GRU", "RNN", "RNNs", "CTC", "UMAP", "PCA", "tanh", "ReLU", "Elman", "Jordan",
         "Hung", "yi", "Lee", "Pascanu", "Adam", "MSE", "KB", "TOML", "toml", "RNN Lab", "Lab",
         "loss", "seed", "w", "b", "y", "dy", "dw", "L", "T", "t", "h_T", "W_hh", "float64",
         "PageUp", "PageDown", "English", "token", "Python", "of", "N", "word", "hashing"}
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[\s,;:()/·.-]+[A-Za-z][A-Za-z'’-]*){3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
SLOT_LABELS = re.compile(r"\b(?:other|dest|origin|arrive_time|depart_time)\b")


def figure_words(fig) -> list[str]:
    """A plotly figure's words: annotations, axis titles and hover templates."""
    layout = fig.to_plotly_json()["layout"]
    return ([a["text"] for a in layout.get("annotations", [])]
            + [v["title"]["text"] for k, v in layout.items()
               if k.startswith(("xaxis", "yaxis")) and v.get("title", {}).get("text")]
            + [t.hovertemplate for t in fig.data if getattr(t, "hovertemplate", None)])


def catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_TW")


def test_every_msgid_has_a_translation_and_none_is_fuzzy():
    cat = catalog()
    assert not cat.fuzzy
    untranslated, fuzzy = [], []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert len(cat) > 100
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_every_placeholder_survives_translation():
    for message in catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{\w+\}", ids[0]))
        for s in strings:
            assert set(re.findall(r"\{\w+\}", s)) == wanted, (message.id, s)


def test_babels_extractor_finds_no_string_missing_from_the_catalog():
    """Every _(), ngettext() and N_() in app/ (extracted as `pybabel extract -F babel.cfg`)."""
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog() if m.id}
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {(msg if isinstance(msg, str) else msg[0]): f"{name}:{line}"
             for name, line, msg, _comments, _ctx in extract_from_dir(
                 str(ROOT / "app"), method_map, options_map)}
    missing = {m: where for m, where in found.items() if m not in known}
    assert len(found) > 100
    assert not missing, missing


def test_catalog_is_compiled_at_run_time_and_a_fuzzy_entry_is_left_out(tmp_path, monkeypatch):
    """No .mo in the repository: the .po is read and compiled in memory."""
    assert not list((ROOT / "app" / "locales").rglob("*.mo"))
    with i18n.using("zh-TW"):
        assert i18n._("Gradient lab") == "梯度實驗室"
        assert i18n._("a sentence no catalog has") == "a sentence no catalog has"
    assert i18n._("Gradient lab") == "Gradient lab"  # outside a session: English
    folder = tmp_path / "zh_TW" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "rnnlab.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Labs"\nmsgstr "猜的"\n\nmsgid "Home"\nmsgstr "首頁"\n',
        encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.using("zh-TW"):
            assert i18n._("Home") == "首頁"
            assert i18n._("Labs") == "Labs"  # a fuzzy guess is never shown
    finally:
        i18n.translations.cache_clear()


def page_text(at: AppTest) -> list[str]:
    """Every text a reader sees on the page and in the sidebar: titles, markdown, captions,
    alerts, metrics, widget labels and options, tabs, expanders and table cells."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info",
                                  "warning", "error", "success") for e in at.get(kind)]
    parts += [m.label for m in at.metric]
    for kind in ("slider", "select_slider", "number_input", "text_input", "button", "radio",
                 "selectbox", "checkbox", "text_area", "toggle"):
        for w in at.get(kind):
            parts.append(w.label)
            parts += [str(o) for o in getattr(w, "options", [])]
    parts += [t.label for t in at.tabs] + [e.label for e in at.expander]
    for df in at.dataframe:
        parts += [str(c) for c in df.value.columns]
        parts += [v for v in df.value.to_numpy().ravel() if isinstance(v, str)]
    return [shown(p) for p in parts if p] + browser_stepper_text(at)


def browser_stepper_text(at: AppTest) -> list[str]:
    """The browser stepper's own words, when the page has one: its buttons and titles, each
    step's line and story, the note and the held-question line (HTML as the text it shows)."""
    try:
        data = browser_stepper(at)
    except AssertionError:  # no browser stepper on this page
        return []
    parts = list(data.get("words", {}).values()) + list(data["lines"])
    parts += [frame["story"] for frame in data["frames"]] + [data["note"], data["held"]]
    return [browser_markdown(p) for p in parts if p]


def english_runs(texts: list[str], allowed: set[str] = frozenset()) -> list[str]:
    """Runs of four or more English words that are not names, units or code."""
    runs = []
    for text in texts:
        for name in allowed:
            text = text.replace(name, " ")
        text = re.sub(r"`[^`]*`", " ", text)  # code
        text = SLOT_LABELS.sub(" ", text)  # the lecture's slot names stay as they are
        text = re.sub(r"“[^”]*”|「[^」]*」", " ", text)  # the lecture's examples, quoted
        for run in ENGLISH_RUN.findall(text):
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", run) if w not in NAMES]
            if len(words) >= 4:
                runs.append(run)
    return runs


@pytest.mark.parametrize("page", TRANSLATED)
def test_the_page_is_chinese_with_lang_zh_tw(page):
    at = run_app(page, lang="zh-TW")
    texts = page_text(at)
    assert sum(bool(CJK.search(t)) for t in texts) > 10
    assert not english_runs(texts), english_runs(texts)
    assert at.query_params["lang"] == "zh-TW"


@pytest.mark.parametrize("page", TRANSLATED)
def test_the_page_is_english_without_lang(page):
    at = run_app(page)
    texts = page_text(at)
    # Chinese only where the lecture's own examples are quoted (好棒棒, 2026年11月2日), and in
    # the CTC lab's frame paths of 好棒棒 (好 φ φ 棒 …).
    chinese = [t for t in texts if CJK.search(t) and "好棒棒" not in t and "年" not in t
               and not set(CJK.findall(t)) <= {"好", "棒"}]
    assert not chinese, chinese
    assert english_runs(texts)
    assert "lang" not in at.query_params


def test_an_unknown_language_is_ignored_with_a_toast_and_the_page_is_english():
    at = run_app(lang="klingon")
    assert at.subheader[0].value == "Labs"
    assert any("Ignored link parameter" in t.value and "lang" in t.value for t in at.toast)


def test_the_language_survives_navigation_and_is_in_the_link():
    at = run_app(lang="zh-TW")
    assert at.title[0].value == "RNN Lab" and at.subheader[0].value == "實驗室"
    at.switch_page("views/gradients.py").run()
    assert not at.exception
    assert at.title[0].value == "梯度實驗室"
    assert at.query_params["lang"] == "zh-TW"
    assert at.query_params["tab"] == "toy"  # the page's own state is still written


def test_every_page_link_of_the_home_page_carries_the_language():
    at = run_app(lang="zh-TW")
    links = [json.loads(p.proto.query_string) if p.proto.query_string.startswith("{") else
             p.proto.query_string for p in at.get("page_link")]
    assert links and all("lang=zh-TW" in str(q) for q in links), links


def test_the_sidebar_switch_changes_the_language_and_the_link():
    at = run_app()
    assert at.subheader[0].value == "Labs"
    at.sidebar.get("button_group")[0].set_value("zh-TW").run()
    assert at.subheader[0].value == "實驗室"
    assert at.query_params["lang"] == "zh-TW"
    at.sidebar.get("button_group")[0].set_value("en").run()
    assert at.subheader[0].value == "Labs"
    assert at.query_params.get("lang", "en") == "en"


def test_the_open_tab_follows_a_language_switch():
    at = run_app("views/gradients.py", tab="training")
    at.sidebar.get("button_group")[0].set_value("zh-TW").run()
    assert at.query_params["tab"] == "training"


def test_the_gradient_figures_speak_chinese():
    import numpy as np

    from engine import gradients
    from figures.gradients import grad_norm_figure, power_figure, surface_figure

    with i18n.using("zh-TW"):
        ws = np.linspace(0, 1.05, 50)
        log_ys, log_dys = gradients.power_toy_log10(ws, 1000)
        fig = power_figure(ws, log_ys, log_dys, 1.01, 4.3, 1000, [(1.0, 0.0)])
        norms = gradients.compare_grad_norms(20, 4, 1.0, 1.0, 0)
        figs = [fig, grad_norm_figure(norms),
                surface_figure(np.linspace(3, 8, 5), np.linspace(-5, 0, 5), np.ones((5, 5)))]
    texts = []
    for f in figs:
        texts += figure_words(f) + [t.name for t in f.data if t.name]
    assert sum(bool(CJK.search(t)) for t in texts) >= 6
    assert not english_runs([re.sub(r"<[^>]+>|%\{[^}]*\}", " ", t) for t in texts])


def test_the_lessons_are_extracted_and_every_text_of_them_is_chinese():
    """babel.cfg's lesson extractor (lesson_files.extract_lessons) yields each shipped lesson's
    title, section and notes, located in its file; the catalog has each of them in Chinese."""
    import lesson_files

    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, set[str]] = {}
    for name, _line, msg, _comments, _ctx in extract_from_dir(str(ROOT / "app"), method_map,
                                                               options_map):
        found.setdefault(msg, set()).add(name)
    translated = {m.id: m.string for m in catalog() if isinstance(m.id, str)}
    lessons = lesson_files.shipped()
    assert len(lessons) >= 6
    for item in lessons.values():
        texts = [item.title, item.section] + [s.note for s in item.scenes if s.note.strip()]
        for text in texts:
            assert f"lessons/{item.id}.toml" in found.get(text, ()), (item.id, text)
            assert CJK.search(translated[text]) or set(re.findall(r"[A-Za-z]+", text)) <= NAMES, (
                item.id, text)  # "§3 · LSTM" stays as it is


def test_every_page_of_the_app_is_checked_in_both_languages():
    pages = {f"views/{p.name}" for p in (ROOT / "app" / "views").glob("*.py")}
    assert set(TRANSLATED) == pages
