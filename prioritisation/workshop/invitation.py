"""The invitation the room sees: the join code read aloud, the join link and its QR code.

A phone joins by scanning the QR code projected by the facilitator, or by typing the short
address and the code. The link names only the join page and the code: never the
facilitator's secret (docs/atelier.md, « Le déroulé »).

A dashboard opened on the facilitator's laptop as « localhost » would give phones a link
to themselves; the link then uses the laptop's address on the local network (what
Streamlit prints as « Network URL »), or the public address the server is given
(PRIORISATION_ADRESSE_PUBLIQUE, for a server behind a proxy). Only module importing segno.
"""

from __future__ import annotations

import io
import ipaddress
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from prioritisation.workshop.session import JOIN_CODE_LENGTH, normalise_join_code

JOIN_PATH = "rejoindre"  # the participants' page: /rejoindre?code=K7M2PQ
CODE_PARAMETER = "code"
PUBLIC_ADDRESS_VARIABLE = "PRIORISATION_ADRESSE_PUBLIQUE"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def spaced_code(code: str) -> str:
    """« K7M2PQ » → « K7M 2PQ »: two groups of three, easier to read aloud and to type."""
    half = JOIN_CODE_LENGTH // 2
    return f"{code[:half]} {code[half:]}" if len(code) == JOIN_CODE_LENGTH else code


def app_root(page_url: str, page_path: str = "") -> str:
    """The dashboard's root from the address of one of its pages (query and page path removed):
    « http://h:8501/atelier » → « http://h:8501 »; a server under a prefix keeps it."""
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    if page_path and path.endswith("/" + page_path.strip("/")):
        path = path[: -len(page_path.strip("/")) - 1]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_local(root: str) -> bool:
    """Whether the address names this machine only (localhost, 127.0.0.1, ::1)."""
    host = (urlsplit(root).hostname or "").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reachable_root(root: str, network_address: str | None) -> str:
    """The root phones can reach: a local address is replaced by the machine's network
    address (same scheme, port and prefix); any other address is kept as it is."""
    if not is_local(root) or not network_address:
        return root
    parts = urlsplit(root)
    host = f"[{network_address}]" if ":" in network_address else network_address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def join_link(root: str, code: str) -> str:
    """The participants' link: the join page with the code, nothing else."""
    checked = normalise_join_code(code)
    if checked is None:
        raise ValueError("a join link needs a valid join code")
    return f"{root.rstrip('/')}/{JOIN_PATH}?{urlencode({CODE_PARAMETER: checked})}"


def join_address(root: str) -> str:
    """The short address to type when the QR code cannot be scanned (the code is typed after)."""
    parts = urlsplit(root)
    return f"{parts.netloc}{parts.path.rstrip('/')}/{JOIN_PATH}"


def qr_png(text: str, scale: int = 10) -> bytes:
    """The QR code of `text` as PNG bytes (dark on white, quiet zone of 4 modules), for an image.

    Error correction « M » at least (15 % of the symbol can be lost: a projector's glare),
    raised by segno when the size allows.
    """
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
