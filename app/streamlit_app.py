"""RNN Lab: the router. Sets up the page, the navigation and the shared sidebar."""

from pathlib import Path

import streamlit as st

from components import keys, language, lesson, phone, presenter, url_params
from i18n import _
from labs import LABS

bad_params = presenter.load_url(st.query_params)  # before the page config: it sets the sidebar
bad_params += language.load_url(st.query_params)  # before any words: they follow it
st.set_page_config(
    page_title="RNN Lab",
    page_icon=Path(__file__).with_name("icon.svg"),  # shipped: no font or emoji CDN asked
    layout="wide",
    # "auto": collapsed on screens up to 768 px (a phone's sidebar would cover the page)
    initial_sidebar_state="collapsed" if presenter.is_on() else "auto",
)

home = st.Page("views/home.py", title=_("Home"), icon=":material/home:", default=True)
labs = [st.Page(lab.page, title=_(lab.title), icon=lab.icon, url_path=lab.url_path)
        for lab in LABS]
page = st.navigation({"RNN Lab": [home], _("Labs"): labs})
url_params.warn_ignored(bad_params)
presenter.install()
phone.install()

if presenter.is_on():  # the sidebar is hidden: its two buttons float at the top right
    with st.container(key="presenter-bar", horizontal=True, width="content"):
        keys.keys_button(page.url_path)
        st.button(_("Exit presenter view"), key="presenter.toggle", on_click=presenter.toggle,
                  icon=":material/close_fullscreen:", type="tertiary", shortcut="P")
with st.sidebar:
    if not presenter.is_on() and not phone.is_phone():  # a phone gets the phone layout
        with st.container(horizontal=True):
            st.button(_("Presenter view"), key="presenter.toggle", on_click=presenter.toggle,
                      icon=":material/co_present:", shortcut="P",
                      help=_("Figures, story and controls on one projector screen, large "
                             "text"))
            keys.keys_button(page.url_path)
    language.switch()
    st.caption(_(
        "RNN Lab follows Hung-yi Lee's lecture on recurrent neural networks. "
        "Everything runs on this computer; nothing is downloaded."
    ))

lesson.apply_link(page)  # ?lesson=<id>&scene=<n>: the scene's page and state, the lesson bar
try:
    page.run()
finally:  # the page rewrote its link: presenter view stays in it, on every page
    presenter.keep_in_url()
    language.keep_in_url()
    lesson.keep_in_link(page.url_path)
