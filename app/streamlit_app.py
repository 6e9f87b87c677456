"""RNN Lab: the router. Sets up the page, the navigation and the shared sidebar."""

import streamlit as st

from labs import LABS

st.set_page_config(
    page_title="RNN Lab",
    page_icon=":material/cycle:",
    layout="wide",
    initial_sidebar_state="expanded",
)

home = st.Page("views/home.py", title="Home", icon=":material/home:", default=True)
labs = [st.Page(lab.page, title=lab.title, icon=lab.icon, url_path=lab.url_path) for lab in LABS]
page = st.navigation({"RNN Lab": [home], "Labs": labs})

with st.sidebar:
    st.caption(
        "RNN Lab follows Hung-yi Lee's lecture on recurrent neural networks. "
        "Everything runs on this computer; nothing is downloaded."
    )

page.run()
