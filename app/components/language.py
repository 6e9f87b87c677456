"""The session's language: `?lang=en` / `?lang=zh-TW` in the link, the sidebar's switch, and
the link keeping it on every page. Owns the URL parameter `lang` and i18n.KEY.

When the link says nothing, the browser's language (st.context.locale, navigator.language) is
the default: any Chinese (zh, zh-TW, zh-Hant-HK, zh-CN …) opens 繁體中文, the only Chinese the app
has; anything else opens English. A link's `lang=` and the switch always win.
"""

from __future__ import annotations

import streamlit as st

import i18n
from components import url_params as up
from i18n import _

PARAM = "lang"


def from_locale(locale: object) -> str:
    """The app's language for a browser locale such as "zh-TW" or "en-US" (English when it is
    not a string or not Chinese)."""
    if not isinstance(locale, str):
        return i18n.DEFAULT
    primary = locale.strip().replace("_", "-").split("-")[0].lower()
    return "zh-TW" if primary == "zh" else i18n.DEFAULT


def _browser_language() -> str:
    try:
        return from_locale(st.context.locale)
    except Exception:  # no browser context (a script run outside a session): English
        return i18n.DEFAULT


def load_url(params) -> list[str]:
    """Follow `lang=` in the link (else the browser's language, once per session); returns
    ["lang"] when its value is not a language."""
    raw = up.get(params, PARAM)
    if raw is None:
        if i18n.KEY not in st.session_state:
            st.session_state[i18n.KEY] = _browser_language()
        return []
    value = up.choice_value(raw, i18n.LANGUAGES)
    if value is None:
        del params[PARAM]  # said once in the toast, not again on every click
        if i18n.KEY not in st.session_state:
            st.session_state[i18n.KEY] = _browser_language()
        return [PARAM]
    st.session_state[i18n.KEY] = value
    return []


def _switched() -> None:
    """Switch callback: the new language into the link at once."""
    chosen = st.session_state.get("language.switch") or i18n.DEFAULT
    st.session_state[i18n.KEY] = chosen
    st.query_params[PARAM] = chosen


def switch() -> None:
    """The sidebar's language switch (English | 繁體中文)."""
    st.session_state["language.switch"] = i18n.current()
    st.segmented_control(_("Language"), list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get,
                         key="language.switch", on_change=_switched, width="stretch")


def keep_in_url() -> None:
    """Put `lang=` back into the link after a page rewrote its parameters (English included
    once chosen, so a shared link opens in the language it was shared in)."""
    lang = st.session_state.get(i18n.KEY, i18n.DEFAULT)
    wanted = lang != i18n.DEFAULT or PARAM in st.query_params
    if wanted and st.query_params.get(PARAM) != lang:
        st.query_params[PARAM] = lang


def link_params() -> dict[str, str]:
    """{"lang": …} for links the app writes (page links, lesson links), when not English."""
    lang = i18n.current()
    return {PARAM: lang} if lang != i18n.DEFAULT else {}


def tab_labels(tab_key: str, tabs: dict[str, str]) -> list[str]:
    """The labels of a page's tabs (`tabs`: key → English label) in the reader's language; the
    open tab (session-state `tab_key`) follows a language switch."""
    key = i18n.same_in_current(st.session_state.get(tab_key), tabs)
    if key is not None:
        st.session_state[tab_key] = _(tabs[key])
    return [_(label) for label in tabs.values()]
