"""Streamlit's own words in French, on every page.

Our pages write French, but Streamlit's frontend has English of its own and no option to
change it: the page declares `lang="en"` (a screen reader then reads French with English
pronunciation, RGAA criterion 8.3), the uploader says « Upload » and « 20MB per file », and
when the browser refuses a file before sending it (too large, wrong format) it says « File
must be 20.0MB or smaller. » — the server never hears of it, so no message of ours can
answer. Buttons are named « Fullscreen », « Help for … », placeholders « Choose an option ».

`interface_fr.js` (a script of ours, static, no user text in it) sets the page's language
and replaces those words as Streamlit draws them, each rule limited to where Streamlit puts
them. The style sheet shows the uploader's refusal in the file's chip (Streamlit draws it
off-screen, for screen readers only, with a hover tooltip). docs/architecture.md explains.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

SCRIPT = Path(__file__).with_name("interface_fr.js")

# The refusal, announced as an alert but drawn off-screen by Streamlit: shown under the file's name.
# The script's own element takes no room (it would push every page's title down by a gap).
STYLE = """<style>
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) { display: none; }
[data-testid="stFileChip"] [role="alert"] {
  position: static; clip: auto; width: auto; height: auto; overflow: visible; white-space: normal;
  display: block; margin: 0.25rem 0 0 0; font-size: 0.75rem; color: #a11010;
}
</style>"""


@cache
def _script() -> str:
    return f"<script>{SCRIPT.read_text(encoding='utf-8')}</script>"


def french_interface() -> None:
    """Install the French words once per page (the script keeps itself to one copy)."""
    st.html(STYLE)
    st.html(_script(), unsafe_allow_javascript=True)
