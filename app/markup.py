"""User text as data, never markup: the one place text from a user, a file or a link is escaped
before it meets Streamlit's markdown, HTML or KaTeX.

- `md(text)`: for st.markdown / st.caption / st.error / labels (markdown): every ASCII
  punctuation character is backslash-escaped (CommonMark lets any of them be), so nothing the
  user typed becomes a link, an image, HTML, emphasis, a heading, a directive such as
  `:red[...]` or `:material/...:`, or `$...$` maths; bare URLs and e-mail addresses are not
  auto-linked either (an invisible word joiner breaks "://", "www." and "@" apart: Streamlit
  links them after parsing, so escapes alone do not stop it).
- `tex(text)`: for text inside KaTeX (`\\text{...}`): TeX's special characters become the
  commands that print them.
- `clean(text)`: a library's message with terminal escapes (ANSI colours, bold) removed
  (engine.messages.clean, re-exported).

Pure functions, no Streamlit: figure builders and components use them alike.
"""

from __future__ import annotations

import re
import string

from engine.messages import clean

_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_SPACES = re.compile(r"[ \t]{2,}")
# Streamlit's GFM links bare URLs and e-mail addresses after parsing, escapes and entities
# notwithstanding: an invisible word joiner breaks "://", "www." and "x@y" apart.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
_JOINER = "\u2060"
_TEX = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
    "&": r"\&", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_TEX_SPECIAL = re.compile("[" + re.escape("".join(_TEX)) + "]")


def md(text: object) -> str:
    """`text` escaped so that markdown shows it literally (one line: newlines become spaces,
    runs of spaces are kept visible)."""
    s = clean(str(text)).replace("\r", " ").replace("\n", " ")
    s = _AUTOLINK.sub(_JOINER, s)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # Runs of spaces would collapse (and 4 leading spaces would start a code block).
    return _SPACES.sub(lambda m: " " + "\u00a0" * (len(m.group()) - 1), s)


def tex(text: object) -> str:
    """`text` escaped for KaTeX text mode (inside `\\text{...}`)."""
    s = clean(str(text)).replace("\r", " ").replace("\n", " ")
    return _TEX_SPECIAL.sub(lambda m: _TEX[m.group()], s)


__all__ = ["clean", "md", "tex"]
