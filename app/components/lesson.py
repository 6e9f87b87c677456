"""Lessons on the pages: `?lesson=<id>&scene=<n>` opens scene n on its page in its state, with
a lesson bar (scene n of N, the teacher's note, previous / next scene on PageUp / PageDown),
and a "Lesson from here" button that turns a page's state into a scene to copy.

Owns the session-state keys under "lesson." and the URL parameters lesson and scene.
"""

from __future__ import annotations

import streamlit as st

import lesson_files as lf
import markup
from components import language
from components import url_params as up
from i18n import _, ngettext

ACTIVE = "lesson.active"  # (lesson id, scene number) the pages are showing
UPLOADED = "lesson.uploaded"  # the Lesson uploaded on the home page (runs as lf.UPLOADED_ID)
# Session keys a scene change keeps: the lesson's own, the presenter view's and the language.
KEEP = ("lesson.", "presenter.", "present", "keys.", "i18n.", "language.")


def lesson_by_id(lesson_id: str) -> lf.Lesson | None:
    """A shipped lesson, or this session's uploaded one, or None."""
    if lesson_id == lf.UPLOADED_ID:
        return st.session_state.get(UPLOADED)
    return lf.shipped().get(lesson_id)


def current() -> tuple[lf.Lesson, int] | None:
    """The lesson being shown and its scene number (1-based), or None."""
    active = st.session_state.get(ACTIVE)
    if not active:
        return None
    lesson = lesson_by_id(active[0])
    return (lesson, active[1]) if lesson is not None else None


def scene_question(page: str) -> tuple[str, lf.Question] | None:
    """(answer key, question) of the scene shown on `page` (a url_path), or None."""
    found = current()
    if found is None:
        return None
    lesson, n = found
    scene = lesson.scenes[n - 1]
    if scene.page != page or scene.question is None:
        return None
    return f"lesson.answer.{lesson.id}.{n}", scene.question


def _reset_pages() -> None:
    """Forget every page's state, so a scene opens as its link would in a new browser."""
    for key in list(st.session_state.keys()):
        if not str(key).startswith(KEEP):
            del st.session_state[key]


def _go(n: int) -> None:
    """Button callback: open scene n of the current lesson."""
    st.query_params["scene"] = str(n)
    st.query_params["lesson"] = st.session_state[ACTIVE][0]


def close() -> None:
    """Button callback: leave the lesson (the page keeps its state)."""
    st.session_state.pop(ACTIVE, None)
    for name in ("lesson", "scene"):
        st.query_params.pop(name, None)


def start(lesson_id: str, n: int = 1) -> None:
    """Button callback: open scene n of a lesson."""
    st.query_params["lesson"] = lesson_id
    st.query_params["scene"] = str(n)


def apply_link(page) -> None:
    """Called by the router before `page.run()`: open the scene the link names (switching page
    when it lives on another one) and draw the lesson bar."""
    params = st.query_params
    if "lesson" in params or "scene" in params:
        _open_linked(page, params)
    found = current()
    if found is not None:
        _bar(*found)


def _open_linked(page, params) -> None:
    raw = up.get(params, "lesson")
    lesson = lesson_by_id(raw) if raw is not None and lf.ID.fullmatch(raw) else None
    if lesson is None:
        if raw == lf.UPLOADED_ID:
            st.toast(_("The uploaded lesson lives in the browser it was uploaded in: upload "
                       "it again on the home page."), icon="⚠️")
        else:
            up.warn_ignored(["lesson"])
        for name in ("lesson", "scene"):
            params.pop(name, None)
        return
    raw_n = up.get(params, "scene")
    n = up.int_value(raw_n, 1, len(lesson.scenes)) if raw_n is not None else 1
    if n is None:
        up.warn_ignored(["scene"])
        n = 1
    if st.session_state.get(ACTIVE) == (lesson.id, n):
        return
    scene = lesson.scenes[n - 1]
    _reset_pages()
    st.session_state[ACTIVE] = (lesson.id, n)
    link = scene.params | {"lesson": lesson.id, "scene": str(n)}
    for name in ("present", "lang"):  # presenter view and language stay as they are
        if name in params and name not in link:
            link[name] = up.get(params, name)
    lab = lf.PAGES[scene.page]
    if getattr(page, "url_path", None) != lab.url_path:
        st.switch_page(lab.page, query_params=link)
    params.from_dict(link)


def _bar(lesson: lf.Lesson, n: int) -> None:
    """The lesson bar: title, scene n of N, the note and the scene buttons."""
    total = len(lesson.scenes)
    scene = lesson.scenes[n - 1]
    with st.container(border=True, key="lesson.bar"):
        top = st.columns([3, 2.3, 2.3, 1.1], vertical_alignment="center")
        # a shipped lesson's words are msgids (extracted by lesson_files.extract_lessons); an
        # uploaded one is shown as written, never through the catalog
        title = _(lesson.title) if lesson.trusted else markup.md(lesson.title)
        top[0].markdown(_("**{title}** · scene {n} of {total}").format(title=title, n=n,
                                                                        total=total))
        top[1].button(_("Scene back"), key="lesson.prev", help=_("Previous scene (PageUp)"),
                      icon=":material/skip_previous:", on_click=_go, args=(n - 1,),
                      disabled=n == 1, width="stretch", shortcut="PageUp")
        top[2].button(_("Next scene"), key="lesson.next", help=_("Next scene (PageDown)"),
                      icon=":material/skip_next:", on_click=_go, args=(n + 1,),
                      disabled=n == total, width="stretch", shortcut="PageDown",
                      type="primary")
        top[3].button(_("Exit"), key="lesson.close", icon=":material/close:", on_click=close,
                      width="stretch", help=_("Leave the lesson; the page keeps its state."))
        if scene.note.strip():
            st.markdown(_(scene.note) if lesson.trusted else markup.md(scene.note))


def keep_in_link(page: str) -> None:
    """Put the lesson back into the link a page has just written (pages write their whole
    state with st.query_params.from_dict), so a reload reopens the scene."""
    found = current()
    if found is not None and found[0].scenes[found[1] - 1].page == page:
        st.query_params["lesson"] = found[0].id
        st.query_params["scene"] = str(found[1])


def from_here(page: str) -> None:
    """The page's "Lesson from here" button: its current link state as a scene to copy.
    Call it after the page has written its link."""
    params = {name: value for name, value in st.query_params.to_dict().items()
              if name not in ("lesson", "scene")}
    with st.sidebar.popover(_("Lesson from here"), icon=":material/school:", width="stretch"):
        st.caption(_("This page as it is now, as a scene of a lesson file (TOML). Paste it "
                     "into your lesson, write the note, and upload the file on the home page."))
        st.code(lf.scene_toml(page, params, _("What should the class see here?")),
                language="toml", wrap_lines=True)


def lesson_card(item: lf.Lesson) -> None:
    """A shipped lesson on the home page: title, section, scenes and its link."""
    first = lf.PAGES[item.scenes[0].page]
    st.markdown(f"**{_(item.title)}**")
    st.caption(ngettext("Lecture {section} · {n} scene", "Lecture {section} · {n} scenes",
                        len(item.scenes)).format(section=_(item.section), n=len(item.scenes)))
    st.page_link(first.page, label=_("Start the lesson"), icon=":material/school:",
                 query_params={"lesson": item.id, "scene": "1"} | language.link_params())
    st.code(f"?lesson={item.id}&scene=1", language=None)


def _read_upload() -> None:
    """Uploader callback: check the file and keep it as this session's uploaded lesson."""
    file = st.session_state.get("lesson.file")
    st.session_state.pop(UPLOADED, None)
    st.session_state["lesson.upload_error"] = None
    if file is None:
        return
    try:
        if file.size > lf.MAX_BYTES:  # checked before reading the file into memory
            raise lf.LessonError(lf.too_big(file.size))
        st.session_state[UPLOADED] = lf.parse(file.getvalue(), lf.UPLOADED_ID)
    except lf.LessonError as err:
        st.session_state["lesson.upload_error"] = _("{name}: {error}").format(name=file.name,
                                                                               error=err)


def upload_box() -> None:
    """The home page's uploader for a lesson of your own: checked, then run from scene 1."""
    st.file_uploader(
        _("Run a lesson of your own (a .toml file)"), type=["toml"], key="lesson.file",
        on_change=_read_upload,
        help=_("At most {kb} KB and {scenes} scenes; every scene names a page and that page's "
               "own link parameters. Notes are shown as written (no links).").format(
            kb=lf.MAX_BYTES // 1024, scenes=lf.MAX_SCENES))
    error = st.session_state.get("lesson.upload_error")
    if error:
        st.error(markup.md(_("Not a lesson this app can run: {error}").format(error=error)),
                 icon=":material/error:")
    uploaded = st.session_state.get(UPLOADED)
    if uploaded is not None:
        n = len(uploaded.scenes)
        st.success(markup.md(ngettext("“{title}”: {n} scene, checked.",
                                      "“{title}”: {n} scenes, checked.", n).format(
            title=uploaded.title, n=n)), icon=":material/check_circle:")
        st.button(_("Start your lesson"), key="lesson.start_uploaded", type="primary",
                  icon=":material/play_arrow:", on_click=start, args=(lf.UPLOADED_ID,))
