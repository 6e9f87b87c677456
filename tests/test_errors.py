"""Engine errors in the reader's language (app/errors.py): every code the engine raises has
its English template in the app's table and a zh-TW translation with the same placeholders;
every hostile file's refusal reads as Chinese with lang=zh-TW and still names its file, line and
limit; a bad upload on a page with ?lang=zh-TW shows a Chinese error."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
import torch
from apptest import errors as page_errors
from apptest import run_app
from babel.messages.pofile import read_po
from safetensors.torch import save as save_safetensors
from test_hostile import checkpoint_corpus, upload_corpus

import i18n
from engine.checkpoint import CheckpointError, load_user_model
from engine.messages import Joined, Phrase, UserError
from engine.uploads import UploadError, parse, parse_sequence_text
from errors import MESSAGES, say

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "app" / "locales" / "zh_TW" / "LC_MESSAGES" / "rnnlab.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
# the names a coded message is raised through (engine.messages and the upload readers' helper)
RAISERS = {"UserError", "UploadError", "GapsError", "SequenceError", "CheckpointError", "_fail",
           "Phrase", "Note"}
_FORMATTER = string.Formatter()


def engine_codes() -> dict[str, tuple[str, str]]:
    """code -> (English template, where) of every coded message in engine/, read with ast."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted((ROOT / "engine").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "engine.messages" for a in node.names}
        raisers = RAISERS - ({"Phrase", "UserError", "Note"} - ours)  # (date_data: a Phrase too)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in raisers and len(node.args) >= 2):
                continue
            code, template = node.args[:2]
            if isinstance(code, ast.Name) and isinstance(template, ast.Name):
                continue  # a helper passing its own arguments on (uploads.common._fail)
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert isinstance(code, ast.Constant) and isinstance(template, ast.Constant), (
                f"{where}: a message's code and template are literals (found by this test)")
            assert code.value not in out or out[code.value][0] == template.value, (
                f"{where}: code {code.value!r} has two templates")
            out[code.value] = (template.value, where)
    return out


def fields(template: str) -> list[tuple[str, str | None]]:
    """The (name, conversion) of each placeholder, in order of name."""
    return sorted((f, c) for _lit, f, _spec, c in _FORMATTER.parse(template) if f is not None)


def test_every_engine_code_has_its_english_template_in_the_apps_table():
    codes = engine_codes()
    assert len(codes) > 150
    missing = {c: w for c, (_t, w) in codes.items() if c not in MESSAGES}
    assert not missing, missing
    differ = {c: w for c, (t, w) in codes.items() if MESSAGES[c] != t}
    assert not differ, differ  # the app words what the engine's str() says
    unused = set(MESSAGES) - set(codes)
    assert not unused, unused


def test_every_template_has_a_translation_with_the_same_placeholders():
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh_TW")
    for code, template in MESSAGES.items():
        message = catalog.get(template)
        assert message is not None and message.string and not message.fuzzy, code
        assert fields(message.string) == fields(template), (code, message.string)
        words = re.sub(r"\{[^}]*\}", "", template)  # the template's own words
        assert CJK.search(message.string) or not re.search(r"[a-z]{3}", words), code


def leaves(item) -> list[str]:
    """The values a phrase names, formatted as its template shows them (not phrases)."""
    if isinstance(item, UserError):
        item = item.phrase
    if isinstance(item, Joined):
        return [text for part in item.items for text in leaves(part)]
    if not isinstance(item, Phrase):
        return [str(item)]
    out = []
    for _lit, name, spec, conversion in _FORMATTER.parse(item.template):
        if name is None:
            continue
        value = item.values[name]
        if isinstance(value, (Phrase, Joined, UserError)):
            out += leaves(value)
        else:
            out.append(format(_FORMATTER.convert_field(value, conversion), spec or ""))
    return out


def refusals() -> list[tuple[str, UserError]]:
    """(label, error) of every hostile upload and checkpoint in tests/test_hostile.py."""
    out = []
    for corpus, read, error in ((upload_corpus, parse, UploadError),
                                (checkpoint_corpus, load_user_model, CheckpointError)):
        for label, name, data in corpus(Path("/nonexistent/never")):
            with pytest.raises(error) as caught:
                read(data, name)
            out.append((label, caught.value))
    return out


def test_every_hostile_refusal_is_chinese_with_zh_tw_and_names_its_values():
    cases = refusals()
    assert len(cases) > 120
    for label, err in cases:
        assert err.code in MESSAGES, (label, str(err))
        with i18n.using("zh-TW"):
            chinese = say(err, markdown=False)
        assert chinese != str(err) and CJK.search(chinese), (label, chinese)
        for value in leaves(err):
            assert value in chinese, (label, value, chinese)
        assert say(err, markdown=False) == str(err), label  # English: the engine's own words


def test_typed_sequence_errors_are_chinese_too():
    with pytest.raises(UploadError) as err:
        parse_sequence_text("1, 2\n3, x", 2)
    with i18n.using("zh-TW"):
        chinese = say(err.value, markdown=False)
    assert chinese == "第 2 步的 x2 是 'x'，不是數字。"
    assert str(err.value) == "step 2, x2 is 'x', which is not a number."


def test_places_and_lists_are_worded_in_turn():
    with pytest.raises(UploadError) as err:
        parse(b"a,b\n1,2\n3,\n", "t.csv")
    with i18n.using("zh-TW"):
        chinese = say(err.value, markdown=False)
    assert chinese.startswith("t.csv 第 3 行、第 2 欄（「b」）是空的；"), chinese
    assert "這個空格" in chinese  # the count of gaps, worded: one cell
    lstm = torch.nn.LSTM(3, 4, num_layers=2).state_dict()
    lstm["weight_hh_l1"] = torch.zeros(16, 5)
    del lstm["bias_hh_l1"]
    with pytest.raises(CheckpointError) as err:
        load_user_model(save_safetensors(lstm), "m.safetensors")
    with i18n.using("zh-TW"):
        chinese = say(err.value, markdown=False)
    assert "缺少 ['bias_hh_l1']；形狀不符 weight_hh_l1：應為 [16, 4]，實際為 [16, 5]" in chinese
    assert chinese.startswith("m.safetensors：對於 4 個隱藏單元、2 層的 LSTM，找到的是："), chinese


def test_user_text_in_a_message_is_escaped_for_markdown():
    name = "**bold** [link](https://example.com) $x$ :red[hi].csv"
    with pytest.raises(UploadError) as err:
        parse(b"", name)
    with i18n.using("zh-TW"):
        shown = say(err.value)
    assert "\\*\\*bold\\*\\*" in shown and "\\[link\\]" in shown and "\\$x\\$" in shown
    assert "https://" not in shown  # the autolink is broken apart (markup.md)
    assert shown.endswith("是空的：至少需要一步。")


def test_an_unknown_code_or_a_translation_that_does_not_fit_falls_back_to_english(
        monkeypatch):
    odd = UserError("no.such.code", "{name} is odd", name="x_y")
    with i18n.using("zh-TW"):
        assert say(odd, markdown=False) == "x_y is odd"
        assert say(odd) == "x\\_y is odd"
        assert say(ValueError("plain [text]")) == "plain \\[text\\]"
        assert say(UserError("plain message, no code"), markdown=False) == (
            "plain message, no code")
    import errors

    monkeypatch.setitem(MESSAGES, "no.such.code", "{name} is odd")
    monkeypatch.setattr(errors, "_", lambda s: "{missing} 很奇怪")  # a translation gone wrong
    assert say(odd, markdown=False) == "x_y is odd"
    monkeypatch.setattr(errors, "_", lambda s: "{name} 很奇怪")
    assert say(odd, markdown=False) == "x_y 很奇怪"  # (the table is used when it fits)


def test_a_bad_model_upload_on_the_gradient_lab_is_chinese():
    at = run_app("views/gradients.py", timeout=120, lang="zh-TW")
    at.radio(key="grad.source").set_value("own").run()
    at.file_uploader(key="upload.grad_model.file").set_value(
        ("m.pt", b"\0" * 64, "application/octet-stream")).run()
    assert not at.exception
    (message,) = page_errors(at)
    assert message.startswith("m.pt 不是 torch.save 的 zip 檔案"), message


def test_a_bad_sequence_upload_on_the_gradient_lab_is_chinese():
    torch.manual_seed(0)
    at = run_app("views/gradients.py", timeout=120, lang="zh-TW")
    at.radio(key="grad.source").set_value("own").run()
    at.file_uploader(key="upload.grad_model.file").set_value(
        ("m.safetensors", save_safetensors(torch.nn.LSTM(2, 4).state_dict()),
         "application/octet-stream")).run()
    assert not at.exception and not page_errors(at)
    at.file_uploader(key="upload.grad_seq.file").set_value(
        ("r.csv", b"1,2\n3\n", "text/csv")).run()
    assert not at.exception
    (message,) = page_errors(at)
    assert message == ("r.csv 第 2 行只有 1 欄，但第 1 行有 2 欄：每一列（步）需要相同的欄數"
                       "（特徵）。"), message


def test_a_picture_that_is_not_a_digit_strip_is_refused_in_chinese():
    import numpy as np

    from engine import digits

    with pytest.raises(UserError) as err:
        digits.check_strip(np.ones((4, 12)))
    assert "at least 8 pixel rows" in str(err.value)
    with i18n.using("zh-TW"):
        assert say(err.value, markdown=False) == "圖片是 12 x 4 像素：數字條至少需要 8 列像素。"


def test_what_reading_a_table_did_is_said_in_chinese_too():
    data = (b"date;temp;city;n1;n2;n3;n4;n5;n6;n7\n"
            b"2024-01-01;3,5;a;a;b;c;d;e;f;g\n2024-01-02;4,5;b;b;c;d;e;f;g;h\n")
    (seq,) = parse(data, "e.csv")
    assert seq.notes[0] == "Columns separated by semicolons, decimal commas (3,2 is 3.2)."
    assert any(n.endswith("and 2 more: not numbers, dropped.") for n in seq.notes), seq.notes
    with i18n.using("zh-TW"):
        said = [say(n, markdown=False) for n in seq.notes]
    assert said[0] == "欄與欄之間以分號分隔，小數使用逗號（3,2 即 3.2）。"
    assert "欄位「date」是日期或時間：用來標示各步。" in said
    assert ("文字欄位「city」、「n1」、「n2」、「n3」、「n4」、「n5」，以及另外 2 個：不是數字，"
            "已捨棄。") in said, said
