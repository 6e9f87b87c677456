"""Lesson files: the shipped lessons walk the lecture; hostile files are refused with a message
that names what is wrong and where."""

from __future__ import annotations

import pytest

from labs import LABS
from lesson_files import (
    MAX_BYTES,
    MAX_SCENES,
    LessonError,
    parse,
    scene_toml,
    shipped,
)

GOOD_SCENE = '[[scene]]\npage = "stepper"\nnote = "hello"\n[scene.state]\nstep = 2\n'


def lesson(*scenes: str, title: str = "A lesson") -> bytes:
    return (f'title = "{title}"\nsection = "§3"\n' + "\n".join(scenes)).encode()


def refused(data: bytes) -> str:
    with pytest.raises(LessonError) as err:
        parse(data, "mine")
    return str(err.value)


def test_a_good_lesson_reads():
    got = parse(lesson(GOOD_SCENE, GOOD_SCENE), "mine")
    assert got.title == "A lesson" and len(got.scenes) == 2
    assert got.scenes[0].page == "stepper" and got.scenes[0].params == {"step": "2"}
    assert not got.trusted


def test_shipped_lessons_cover_every_lab_and_the_lecture():
    lessons = shipped()
    assert len(lessons) >= 6
    assert all(len(item.scenes) >= 3 for item in lessons.values())
    pages = {scene.page for item in lessons.values() for scene in item.scenes}
    assert pages >= {lab.url_path for lab in LABS if lab.params}


def test_bad_toml():
    assert "not valid TOML" in refused(b'title = "x"\n[[scene]\npage = 1')


def test_not_utf8():
    assert "not UTF-8" in refused(b'title = "\xff\xfe"')


def test_unknown_page_names_scene_and_key():
    message = refused(lesson(GOOD_SCENE, '[[scene]]\npage = "nowhere"\n'))
    assert "scene 2" in message and "“page”" in message and "nowhere" in message


def test_unknown_parameter_names_scene_and_key():
    message = refused(lesson('[[scene]]\npage = "slots"\n[scene.state]\nstep = 1\nevil = 2\n'))
    assert "scene 1" in message and "state.evil" in message and "Slot filling" in message


def test_unknown_question_kind():
    message = refused(lesson('[[scene]]\npage = "ctc"\nquestion = { kind = "memory", step = 2 }'))
    assert "scene 1" in message and "question" in message and "memory" in message


def test_question_step_must_be_a_step():
    message = refused(lesson('[[scene]]\npage = "stepper"\n'
                             'question = { kind = "memory", step = "two" }'))
    assert "scene 1" in message and "step" in message


def test_ten_megabytes_refused_before_parsing():
    data = lesson(GOOD_SCENE) + b"#" * (10 * 2**20)
    message = refused(data)
    assert f"{len(data):,} bytes" in message and "64 KB" in message


def test_one_byte_past_the_limit():
    data = lesson(GOOD_SCENE)
    data += b"#" * (MAX_BYTES + 1 - len(data))
    assert "64 KB" in refused(data)
    parse(data[:-1], "mine")  # exactly at the limit: read


@pytest.mark.parametrize("text", ["[click me](https://evil.example)", "![x](https://e.x/a.png)",
                                  "<a href='https://evil.example'>x</a>", "<img src=x>",
                                  "[ref][1]", "&lt;script&gt;"])
def test_markdown_links_and_html_in_a_note(text):
    message = refused(lesson(GOOD_SCENE, f'[[scene]]\npage = "slots"\nnote = "{text}"\n'))
    assert "scene 2" in message and "“note”" in message and "link or HTML" in message


def test_links_in_the_title():
    assert "title" in refused(lesson(GOOD_SCENE, title="[x](https://evil.example)"))


def test_thousands_of_scenes():
    message = refused(lesson(*["[[scene]]\n"] * 3000))
    assert "3,000 scenes" in message and f"at most {MAX_SCENES}" in message


def test_one_scene_past_the_limit():
    assert f"at most {MAX_SCENES}" in refused(lesson(*[GOOD_SCENE] * (MAX_SCENES + 1)))
    parse(lesson(*[GOOD_SCENE] * MAX_SCENES), "mine")


def test_no_scenes_and_unknown_top_level_keys():
    assert "no scenes" in refused(b'title = "x"\n')
    assert "unknown key “script”" in refused(lesson(GOOD_SCENE) + b'\n[script]\nrun = 1\n')


def test_values_must_be_plain():
    message = refused(lesson('[[scene]]\npage = "slots"\n[scene.state]\na = [1, 2]\n'))
    assert "state.a" in message


def test_a_scene_from_here_reads_back():
    params = {"a": 'say "hi" \\ there', "step": "3", "lesson": "x", "nope": "1"}
    text = f'title = "t"\n{scene_toml("slots", params, "note")}'
    scene = parse(text.encode(), "mine").scenes[0]
    assert scene.params == {"a": 'say "hi" \\ there', "step": "3"}


def test_one_past_the_text_limits():
    from lesson_files import MAX_NOTE_CHARS, MAX_STEP, MAX_TITLE_CHARS, MAX_VALUE_CHARS

    assert f"at most {MAX_TITLE_CHARS}" in refused(lesson(GOOD_SCENE,
                                                          title="t" * (MAX_TITLE_CHARS + 1)))
    parse(lesson(GOOD_SCENE, title="t" * MAX_TITLE_CHARS), "mine")
    note = f'[[scene]]\npage = "slots"\nnote = "{"n" * (MAX_NOTE_CHARS + 1)}"\n'
    message = refused(lesson(note))
    assert "scene 1" in message and "“note”" in message and f"{MAX_NOTE_CHARS:,}" in message
    value = f'[[scene]]\npage = "slots"\n[scene.state]\na = "{"v" * (MAX_VALUE_CHARS + 1)}"\n'
    message = refused(lesson(value))
    assert "state.a" in message and f"{MAX_VALUE_CHARS:,}" in message
    step = f'[[scene]]\npage = "stepper"\nquestion = {{ kind = "memory", step = {MAX_STEP + 1} }}'
    assert f"{MAX_STEP:,}" in refused(lesson(step))
    parse(lesson(step.replace(str(MAX_STEP + 1), str(MAX_STEP))), "mine")


def test_the_extractor_yields_title_section_and_notes_at_their_lines():
    import io

    from lesson_files import extract_lessons

    text = ('# a lesson\ntitle = "Gates"\nsection = "§3 · LSTM"\n\n[[scene]]\npage = "stepper"\n'
            'note = """Two\nlines."""\n\n[[scene]]\npage = "stepper"\n\n[[scene]]\n'
            'page = "slots"\nnote = "Third"\n')
    got = list(extract_lessons(io.BytesIO(text.encode()), {}, [], {}))
    assert got == [(2, None, "Gates", []), (3, None, "§3 · LSTM", []),
                   (7, None, "Two\nlines.", []), (15, None, "Third", [])]
