"""Widgets and small tables of the CTC lab. Owns the session-state keys under "ctc."."""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import markup
from choices import DIGITS  # noqa: F401 (the recogniser's classes, used as ctl.DIGITS)
from components import language, url_params
from engine import ctc
from engine.uploads import is_number, parse
from errors import say
from i18n import N_, _, same_in_current

PAGE_SIZE = 20  # alignments per page
MAX_PAGES = ctc.MAX_LISTED_ALIGNMENTS // PAGE_SIZE  # deeper pages take too long to reach
MAX_T = 1000  # frames in the alignments tab: its count, lattice and list follow every change
MAX_TARGET_CHARS = 60  # characters of the alignments tab's target (121 states at most)
MAX_PATH_CHARS = 2 * MAX_T  # characters of a typed frame path (one a frame, spaces allowed)
MAX_BEAM = 32  # beam widths offered: the beam search runs on every change of the strip
MAX_PASTE_CHARS = 200_000  # characters of a pasted matrix (~20,000 numbers), parsed per change
MAX_OWN_FRAMES = 5_000  # frames T of your own posteriors: the lattice loops over them in Python
MAX_OWN_CLASSES = 100  # classes C of your own posteriors: one heatmap row each
MAX_OWN_TARGET = 1_000  # labels of your own target (then the lattice's memory budget applies)
MAX_TARGET_TEXT = 6 * MAX_OWN_TARGET  # characters of the typed target (up to 1,000 labels)
BLANK_TYPED = ("-", "_")  # also read as the blank in a typed frame path
VIEWS = {"posterior": N_("occupancy (α·β)"), "alpha": N_("α (forward)"),
         "beta": N_("β (backward)")}
EXAMPLE_MATRIX = """# frames × classes: blank, class 1, class 2 (probabilities; rows sum to 1)
0.70, 0.25, 0.05
0.20, 0.75, 0.05
0.60, 0.30, 0.10
0.10, 0.20, 0.70
0.30, 0.05, 0.65
0.85, 0.05, 0.10"""
_SPLIT = re.compile(r"[,;\s]+")
PITFALL = N_(
    "The lecture's pitfall: without φ, “好好好棒棒棒棒” merges to **好棒**, and no frame path "
    "could ever give 好棒棒. With φ between the two 棒, “好 φ φ 棒 φ φ 棒 φ” collapses to "
    "**好棒棒**. That is why the lattice may skip a φ only between *different* labels: two "
    "equal labels need a φ between them.")


# -- Link state ------------------------------------------------------------------------------

TABS = {"align": N_("Alignments"), "model": N_("Trained recogniser"),
        "own": N_("Your own posteriors")}
TAB_KEY = "ctc.tab"
_LOADED = "ctc.url_loaded"
_LINK_EPOCH = "ctc.epoch.from_url"  # a link's epoch, until the snapshots are known
DEFAULT_T = 8  # the lecture's 8 frames
DEFAULT_BEAM = 8
DEFAULT_DIGITS = "2024"


def tab_labels() -> list[str]:
    """The tabs' labels in the reader's language; the open tab follows a language switch."""
    return language.tab_labels(TAB_KEY, TABS)


def load_url(params) -> None:
    """On a session's first run of the page, seed the tab, target, T, frame path, digits, seed,
    epoch and beam width from the link; names the parameters that were not valid in a toast."""
    if st.session_state.get(_LOADED):
        return
    st.session_state[_LOADED] = True
    from engine.digits import MAX_STRIP_DIGITS

    get = functools.partial(url_params.get, params)
    digits = url_params.text_value(get("digits"), MAX_STRIP_DIGITS)
    tab = url_params.choice_value(get("tab"), TABS)
    parsed = {
        "tab": (TAB_KEY, _(TABS[tab]) if tab else None),
        "target": ("ctc.target", url_params.text_value(get("target"), MAX_TARGET_CHARS)),
        "T": ("ctc.T", url_params.int_value(get("T"), 0, MAX_T)),
        "path": ("ctc.path", url_params.text_value(get("path"), MAX_PATH_CHARS)),
        "digits": ("ctc.digits", digits if digits and digits.isascii() and digits.isdigit()
                   else None),
        "seed": ("ctc.seed", url_params.int_value(get("seed"), 0, 10**6)),
        "epoch": (_LINK_EPOCH, url_params.int_value(get("epoch"), 0, 10**6)),
        "beam": ("ctc.beam", url_params.int_value(get("beam"), 1, MAX_BEAM)),
    }
    for key, value in parsed.values():
        if value is not None:
            st.session_state[key] = value
    url_params.warn_ignored(name for name, (_key, value) in parsed.items()
                            if name in params and value is None)


def link_params() -> dict[str, str]:
    """The URL parameters that reproduce the page (settings at their default are left out)."""
    state = st.session_state
    tab = same_in_current(state.get(TAB_KEY), TABS) or "align"
    params = {"tab": tab}
    values = {"target": (state.get("ctc.target"), ctc.LECTURE_TARGET),
              "T": (state.get("ctc.T"), DEFAULT_T), "path": (state.get("ctc.path"),
                                                            ctc.LECTURE_PATH),
              "digits": (state.get("ctc.digits"), DEFAULT_DIGITS),
              "seed": (state.get("ctc.seed"), 0), "epoch": (state.get("ctc.epoch"), None),
              "beam": (state.get("ctc.beam"), DEFAULT_BEAM)}
    for name, (value, default) in values.items():
        if value is not None and value != default and len(str(value)) <= MAX_PATH_CHARS:
            params[name] = str(value)
    return params


# -- Alignments ------------------------------------------------------------------------------


def alignment_inputs() -> tuple[str, int]:
    """The target text and the number of frames T."""
    left, right = st.columns([3, 1])
    st.session_state.setdefault("ctc.target", ctc.LECTURE_TARGET)
    st.session_state.setdefault("ctc.T", DEFAULT_T)
    text = left.text_input(_("Target (any characters, up to {limit})").format(
                               limit=MAX_TARGET_CHARS),
                           max_chars=MAX_TARGET_CHARS, key="ctc.target",
                           help=_("好棒棒, hello, 1223 … φ is the blank and cannot be part of "
                                  "a target."))
    T = right.number_input(_("Frames T (0 … {limit})").format(limit=f"{MAX_T:,}"), 0, MAX_T,
                           key="ctc.T",
                           help=_("At most {limit} frames: the exact count, the lattice and "
                                  "the list of alignments are recomputed on every change.")
                           .format(limit=f"{MAX_T:,}"))
    return text, int(T)


def check_alignment_size(text: str, T: int) -> None:
    """A ValueError stating the limit when the alignments tab's target or T is too large."""
    if len(text) > MAX_TARGET_CHARS:
        raise ValueError(_("the target has {count} characters; at most {limit} are taken.")
                         .format(count=f"{len(text):,}", limit=MAX_TARGET_CHARS))
    if T > MAX_T:
        raise ValueError(_("T = {T} frames is too many: at most {limit} (the count, the "
                           "lattice and the list follow every change).").format(
                               T=f"{T:,}", limit=f"{MAX_T:,}"))


def count_text(n: int) -> str:
    """An alignment count for a metric: exact up to 18 digits, else in powers of ten."""
    if n < 10**18:
        return f"{n:,}"
    digits = str(n)
    return f"≈ {digits[0]}.{digits[1:4]} × 10^{len(digits) - 1}"


def page_picker(count: int) -> int:
    """The page of alignments to list (0-based)."""
    pages = max(1, min(math.ceil(count / PAGE_SIZE), MAX_PAGES))
    st.session_state["ctc.page"] = min(st.session_state.get("ctc.page", 1), pages)
    page = st.number_input(_("Page (of {pages})").format(
        pages=f"{pages:,}{'+' if pages == MAX_PAGES else ''}"), 1, pages, key="ctc.page")
    if count > MAX_PAGES * PAGE_SIZE:
        st.caption(_("Only the first {pages} pages ({alignments} alignments) are listed: each "
                     "alignment is reached by walking through the ones before it.").format(
                         pages=f"{MAX_PAGES:,}", alignments=f"{MAX_PAGES * PAGE_SIZE:,}"))
    return int(page) - 1


def compact(symbols: list[str]) -> str:
    """A long frame path with its runs shortened: φ φ φ φ h h e → φ×4 h h e."""
    runs: list[list] = []
    for symbol in symbols:
        if runs and runs[-1][0] == symbol:
            runs[-1][1] += 1
        else:
            runs.append([symbol, 1])
    return " ".join(f"{s}×{n}" if n > 2 else " ".join([s] * n) for s, n in runs)


def alignment_table(paths: list[list[int]], states: np.ndarray, alphabet: list[str],
                    start: int) -> pd.DataFrame:
    """Alignments (as state sequences) with their frame paths and collapses, numbered from 1.

    Paths longer than 24 frames are written with runs shortened (φ×5); "path" holds them in
    full, one character per frame.
    """
    rows = []
    for k, path in enumerate(paths):
        labels = [int(states[s]) for s in path]
        symbols = list(ctc.decode_labels(labels, alphabet))
        rows.append({"#": start + k + 1,
                     "frame path": " ".join(symbols) if len(path) <= 24 else compact(symbols),
                     "collapses to": ctc.decode_labels(ctc.collapse(labels), alphabet),
                     "path": "".join(symbols)})
    return pd.DataFrame(rows)


def _set_path(text: str) -> None:
    st.session_state["ctc.path"] = text


def _take_selected(paths: list[str]) -> None:
    rows = st.session_state["ctc.alignments"].selection.rows
    if rows and rows[0] < len(paths):
        _set_path(paths[rows[0]])


def selectable_alignments(table: pd.DataFrame) -> None:
    """The page of alignments; clicking a row makes it the frame path drawn on the lattice."""
    st.dataframe(table, hide_index=True, width="stretch", key="ctc.alignments",
                 height=36 + 35 * len(table), column_order=["#", "frame path", "collapses to"],
                 column_config={"#": st.column_config.NumberColumn(width="small"),
                                "frame path": _("frame path"),
                                "collapses to": _("collapses to")},
                 on_select=functools.partial(_take_selected, table["path"].tolist()),
                 selection_mode="single-row")


@dataclass
class PathCheck:
    """A typed frame path checked against the target."""

    frames: str  # the path with blanks shown as φ, one symbol per frame
    collapsed: str  # what it collapses to
    valid: bool  # a valid alignment of the target at this T
    reason: str  # why it is or is not
    states: list[int] | None  # its state per frame when valid


def path_input() -> str:
    """A frame path typed by the user, with the lecture's two examples one click away."""
    st.session_state.setdefault("ctc.path", ctc.LECTURE_PATH)
    text = st.text_input(_("A frame path (one character per frame; φ, - or _ for the blank)"),
                         key="ctc.path", max_chars=MAX_PATH_CHARS)
    left, right = st.columns(2)
    left.button(_("Lecture: {path}").format(path=ctc.LECTURE_NAIVE_PATH), on_click=_set_path,
                args=(ctc.LECTURE_NAIVE_PATH,), key="ctc.naive", width="stretch")
    right.button(_("Lecture: {path}").format(path=ctc.LECTURE_PATH), on_click=_set_path,
                 args=(ctc.LECTURE_PATH,), key="ctc.lecture", width="stretch")
    return text


def path_checker(target: str, T: int, ask=None) -> PathCheck | None:
    """The frame-path box, what the typed path collapses to, and the lecture's pitfall.

    ask: a lesson's question, `ask(check) -> answered`; until it is answered the verdict is
    not drawn and None is returned (so the lattice leaves the path out too)."""
    st.markdown(_("**Your frame path.** Type one symbol per frame, or click a row of the list "
                  "or one of the lecture's two paths."))
    check = check_path(path_input(), target, T)
    if ask is not None and not ask(check):
        return None
    shown = markup.md(" ".join(check.frames)) or _("(empty)")
    (st.success if check.valid else st.warning)(
        _("{path} → **{collapsed}**: {reason}.").format(
            path=shown, collapsed=markup.md(check.collapsed) or _("(empty)"),
            reason=markup.md(check.reason)))
    st.markdown(_(PITFALL))
    return check


def check_path(text: str, target: str, T: int) -> PathCheck:
    """Collapse a typed path and check it against `target` at T frames."""
    typed = "".join(ch for ch in text if not ch.isspace())
    for mark in BLANK_TYPED:
        typed = typed.replace(mark, ctc.BLANK_SYMBOL)
    labels, alphabet = ctc.encode_text(target)
    extra = [ch for ch in dict.fromkeys(typed) if ch not in alphabet]
    path, alphabet = ctc.encode_text(typed, alphabet + extra)
    collapsed = ctc.decode_labels(ctc.collapse(path), alphabet)
    if ctc.collapse(path) != labels:
        why = _("it collapses to “{collapsed}”, not “{target}”").format(collapsed=collapsed,
                                                                         target=target)
    elif len(path) != T:
        why = _("it has {frames} frames, not T = {T}").format(frames=len(path), T=T)
    else:
        one_hot = np.full((T, len(alphabet)), -np.inf)
        one_hot[np.arange(T), path] = 0.0
        states = ctc.lattice(one_hot, labels).best_path_states  # its only alignment
        return PathCheck(typed, collapsed, True, _("a valid alignment of “{target}” at T = {T}")
                         .format(target=target, T=T), states)
    return PathCheck(typed, collapsed, False, _("not an alignment of “{target}” at T = {T}: "
                                                "{why}").format(target=target, T=T, why=why),
                     None)


# -- Trained recogniser ----------------------------------------------------------------------


def _random_strip(seed_key: str, digits_key: str, draw) -> None:
    seed = int(st.session_state.get(seed_key, 0)) + 1
    st.session_state[seed_key] = seed
    st.session_state[digits_key] = "".join(str(d) for d in draw(seed))


def strip_inputs(draw) -> tuple[tuple[int, ...] | None, int, str | None]:
    """(digits, seed, error) of the strip to read; `draw(seed)` gives random digits."""
    a, b, c = st.columns([3, 1, 1], vertical_alignment="bottom")
    from engine.digits import MAX_STRIP_DIGITS

    st.session_state.setdefault("ctc.digits", DEFAULT_DIGITS)
    st.session_state.setdefault("ctc.seed", 0)
    text = a.text_input(_("Digits to write (0–9, up to {limit})").format(
        limit=MAX_STRIP_DIGITS), max_chars=MAX_STRIP_DIGITS, key="ctc.digits")
    seed = b.number_input(_("Seed (which scans, gaps)"), 0, 10**6, key="ctc.seed")
    c.button(_("Random strip"), icon=":material/casino:", key="ctc.random", width="stretch",
             on_click=_random_strip, args=("ctc.seed", "ctc.digits", draw))
    typed = "".join(text.split())
    if not typed or not typed.isdigit() or not typed.isascii():
        return None, int(seed), _("“{text}” is not a string of digits 0–9: type e.g. 2024."
                                  ).format(text=text)
    if len(typed) > MAX_STRIP_DIGITS:
        return None, int(seed), _("{count} digits is too long for one strip: {limit} at most."
                                  ).format(count=len(typed), limit=MAX_STRIP_DIGITS)
    return tuple(int(d) for d in typed), int(seed), None


def reading_inputs(metrics: dict[int, dict]) -> tuple[int, int]:
    """The snapshot to read with (by epoch) and the beam search's width."""
    epochs = sorted(metrics)
    linked = st.session_state.pop(_LINK_EPOCH, None)
    if linked is not None:
        if linked in epochs:
            st.session_state["ctc.epoch"] = linked
        else:
            url_params.warn_ignored(["epoch"])
    st.session_state.setdefault("ctc.epoch", epochs[-1])
    st.session_state.setdefault("ctc.beam", DEFAULT_BEAM)
    left, right = st.columns(2, gap="large")
    epoch = left.select_slider(
        _("Snapshot after epoch"), epochs, key="ctc.epoch",
        help=_("Early snapshots spread probability over many frames; trained ones put a sharp "
               "spike on one frame per digit and the blank everywhere else."))
    width = right.slider(_("Beam width"), 1, MAX_BEAM, key="ctc.beam",
                         help=_("Prefixes the beam search keeps after each frame (1 … {limit}: "
                                "it runs again on every change).").format(limit=MAX_BEAM))
    return int(epoch), int(width)


def view_picker(key: str) -> str:
    """What the lattice's colours show: a key of VIEWS."""
    return st.radio(_("Colour the lattice by"), list(VIEWS), format_func=lambda v: _(VIEWS[v]),
                    horizontal=True, key=key)


DECODE_COLUMNS = {"decoder": N_("decoder"), "reading": N_("reading"),
                  "log score": N_("log score"), "right?": N_("right?")}


def decode_columns() -> dict[str, str]:
    """`decode_table`'s column headers in the reader's language (a column_config)."""
    return {name: _(label) for name, label in DECODE_COLUMNS.items()}


def decode_table(greedy: list[int], beams: list[tuple[list[int], float]], alphabet: list[str],
                 truth: list[int] | None = None) -> pd.DataFrame:
    """Greedy and beam-search readings side by side (✓ where they match `truth`)."""
    rows = [{"decoder": _("greedy (best class per frame, collapsed)"),
             "reading": ctc.decode_labels(greedy, alphabet) or _("(empty)"), "log score": "—"}]
    for k, (labels, score) in enumerate(beams[:5]):
        rows.append({"decoder": _("beam search, #{rank}").format(rank=k + 1),
                     "reading": ctc.decode_labels(labels, alphabet) or _("(empty)"),
                     "log score": f"{score:.4f}"})
    table = pd.DataFrame(rows)
    if truth is not None:
        right = ctc.decode_labels(truth, alphabet)
        table["right?"] = ["✓" if r == right else "✗" for r in table["reading"]]
    return table


# -- Your own posteriors ---------------------------------------------------------------------


def parse_matrix(text: str) -> np.ndarray:
    """Rows of numbers (one frame per line; commas, semicolons or spaces) → [T, C] float64.

    Lines starting with '#' and a first line without numbers (a CSV header) are skipped.
    """
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [c for c in _SPLIT.split(line.strip()) if c]
        if not cells or cells[0].startswith("#"):
            continue
        bad = [col for col, cell in enumerate(cells, start=1) if not is_number(cell)]
        if bad and not rows and len(bad) == len(cells):
            continue  # a header line
        if bad:
            raise ValueError(_("line {line}, column {column}: “{cell}” is not a number.")
                             .format(line=number, column=bad[0], cell=cells[bad[0] - 1]))
        rows.append([float(c) for c in cells])
    if not rows:
        raise ValueError(_("no numbers to read: paste one frame per line, e.g. 0.7, 0.2, "
                           "0.1."))
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        first = len(rows[0])
        bad = next(i for i, r in enumerate(rows) if len(r) != first)
        raise ValueError(_("frame {frame} has {count} values but frame 1 has {first}: every "
                           "frame needs one value per class.").format(
                               frame=bad + 1, count=len(rows[bad]), first=first))
    return np.array(rows, dtype=np.float64)


def read_upload(name: str, data: bytes) -> np.ndarray:
    """An uploaded CSV/TSV/text, .npy/.npz (never unpickled) or JSON file → [T, C] float64,
    read by engine.uploads.parse (the first sequence of the file); ValueError saying why not."""
    if name.lower().endswith(".txt"):  # numbers typed in a text editor: read like a CSV
        name = name[:-4] + ".csv"
    sequence = parse(data, name)[0]
    if sequence.values is None:
        raise ValueError(_("{name} holds text, not numbers: one frame per row, one column per "
                           "class.").format(name=name))
    return np.asarray(sequence.values, dtype=np.float64)


def parse_target(text: str) -> list[int]:
    """Class indices separated by spaces or commas → a list of ints."""
    out = []
    for cell in (c for c in _SPLIT.split(text.strip()) if c):
        try:
            out.append(int(cell))
        except ValueError:
            raise ValueError(_("target: “{cell}” is not a class index (type whole numbers, "
                               "e.g. 1 2 2).").format(cell=cell)) from None
    return out


def check_own_size(matrix: np.ndarray, target: list[int]) -> None:
    """A ValueError stating the limit when your own posteriors or target are too large."""
    T, C = matrix.shape
    if T > MAX_OWN_FRAMES:
        raise ValueError(_("the matrix has {T} frames; at most {limit} are read (the lattice "
                           "is computed frame by frame on every change).").format(
                               T=f"{T:,}", limit=f"{MAX_OWN_FRAMES:,}"))
    if C > MAX_OWN_CLASSES:
        raise ValueError(_("the matrix has {C} classes; at most {limit} are read (each class "
                           "is a row of the drawn posteriors).").format(
                               C=f"{C:,}", limit=MAX_OWN_CLASSES))
    if len(target) > MAX_OWN_TARGET:
        raise ValueError(_("the target has {count} labels; at most {limit} are read.").format(
            count=f"{len(target):,}", limit=f"{MAX_OWN_TARGET:,}"))
    ctc.check_lattice_size(T, C, len(target))


def example_posteriors() -> tuple[np.ndarray, list[int]]:
    """The lecture's 好棒棒 as posteriors [8, 3] (φ, 好, 棒) and its target [1, 2, 2]: each frame
    is confident in the lecture's path 好 φ φ 棒 φ φ 棒 φ, with some doubt spread around."""
    path, alphabet = ctc.encode_text(ctc.LECTURE_PATH, [ctc.BLANK_SYMBOL, "好", "棒"])
    probs = np.full((len(path), len(alphabet)), 0.1)
    probs[np.arange(len(path)), path] = 0.8
    probs[2] = [0.55, 0.05, 0.4]  # frame 3: the 棒 might come a frame early
    return probs, ctc.encode_text(ctc.LECTURE_TARGET, alphabet)[0]


def example_files() -> dict[str, bytes]:
    """Downloadable examples of your own posteriors: name → bytes (CSV with a header, .npy)."""
    probs, _target = example_posteriors()
    csv = "blank,好,棒\n" + "".join(",".join(f"{v:g}" for v in row) + "\n" for row in probs)
    buffer = io.BytesIO()
    np.save(buffer, probs, allow_pickle=False)
    return {"posteriors_haobangbang.csv": csv.encode(),
            "posteriors_haobangbang.npy": buffer.getvalue()}


def matrix_input() -> tuple[np.ndarray | None, list[int] | None, str, str | None]:
    """(matrix [T, C], target, source, None) from a paste or an upload, or (…, error message).

    `source` names where the matrix came from (the file's name, or "the pasted matrix")."""
    left, right = st.columns([3, 2])
    text = left.text_area(_("Per-frame posteriors: one frame per line, one column per class, "
                            "blank first"), EXAMPLE_MATRIX, height=190, key="ctc.matrix",
                          max_chars=MAX_PASTE_CHARS)
    upload = right.file_uploader(_("… or upload a CSV, NPY or JSON [T, C]"),
                                 type=["csv", "tsv", "txt", "npy", "npz", "json"],
                                 key="ctc.upload", help=_(
                                     "While a file is uploaded it is used instead of the pasted "
                                     "text; .npy files are never unpickled. At most {frames} "
                                     "frames and {classes} classes.").format(
                                         frames=f"{MAX_OWN_FRAMES:,}", classes=MAX_OWN_CLASSES))
    target_text = right.text_input(_("Target: class indices (1 … C−1)"), "1 2",
                                   key="ctc.classes", max_chars=MAX_TARGET_TEXT,
                                   help=_("Separated by spaces or commas; 0 is the blank. At "
                                          "most {limit} labels.").format(
                                              limit=f"{MAX_OWN_TARGET:,}"))
    with right.popover(_("Example files (target 1 2 2)"), icon=":material/download:",
                       width="stretch"):
        st.caption(_("The lecture's 好棒棒: 8 frames × 3 classes (φ, 好, 棒). Upload one and "
                     "type the target 1 2 2."))
        for name, data in example_files().items():
            st.download_button(name.rsplit(".", 1)[1].upper(), data, file_name=name,
                               key=f"ctc.example.{name}", icon=":material/download:",
                               width="stretch")
    source = upload.name if upload else _("the pasted matrix")
    try:
        matrix = read_upload(upload.name, upload.getvalue()) if upload else parse_matrix(text)
        return matrix, parse_target(target_text), source, None
    except ValueError as error:
        return None, None, source, say(error, markdown=False)
