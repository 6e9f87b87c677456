"""Which layer, direction and unit to look at; which units to plot over time.

Owns the session-state keys under "view.".
"""

from __future__ import annotations

import streamlit as st

from engine.trace import Trace
from i18n import _

TOP_K = 8  # units shown over time by default: the k with the largest variance


def _unit_label(trace: Trace, unit: int) -> str:
    """A unit of the concatenated last layer as people read it: "→3" forward, "←3" backward."""
    if trace.num_directions == 1:
        return str(unit)
    per = trace.hidden.shape[1] // trace.num_directions
    return f"{'→←'[unit // per]}{unit % per}"


def _memory_name(trace: Trace) -> str:
    return "c" if trace.cell is not None else "h"


def view_picker(trace: Trace) -> tuple[int, int, int]:
    """Selectors for layer, direction and unit (only those that have a choice).

    Returns (layer, direction, unit); the unit defaults to the busiest one.
    """
    layer, direction = trace.num_layers - 1, 0
    picks = []
    if trace.num_layers > 1:
        picks.append("layer")
    if trace.num_directions > 1:
        picks.append("direction")
    units = trace.layers[0][0].hidden.shape[1]
    if units > 1:
        picks.append("unit")
    if not picks:
        return layer, direction, 0
    columns = st.columns(len(picks))
    for column, pick in zip(columns, picks, strict=True):
        if pick == "layer":
            layer = column.selectbox(
                _("Layer"), range(trace.num_layers), index=layer, key="view.layer",
                format_func=lambda n: _("{layer} of {layers}").format(layer=n + 1,
                                                                      layers=trace.num_layers),
            )
        elif pick == "direction":
            direction = column.selectbox(
                _("Direction"), (0, 1), key="view.direction",
                format_func=lambda d: (_("forward →"), _("← backward"))[d],
            )
        else:
            series = trace.layers[layer][direction]
            values = series.cell if series.cell is not None else series.hidden
            busiest = int(values.var(dim=0, unbiased=False).argmax()) if trace.steps > 1 else 0
            unit = column.selectbox(
                _("Unit"), range(units), index=busiest, key=f"view.unit.{units}",
                help=_("The diagram and the equations show one unit; the default is the unit "
                       "whose memory changes most."),
            )
    return layer, direction, unit if "unit" in picks else 0


def unit_picker(trace: Trace) -> list[int] | None:
    """For models with more than TOP_K units, choose which to plot (top-k by variance)."""
    total = trace.hidden.shape[1]
    if total <= TOP_K:
        return None
    name = _memory_name(trace)
    default = trace.top_units(TOP_K, name)
    label = (_("Units to show (default: the {count} whose memory varies most)") if name == "c"
             else _("Units to show (default: the {count} whose state varies most)"))
    chosen = st.multiselect(
        label.format(count=TOP_K),
        range(total), default=default, key=f"view.units.{total}",
        format_func=lambda u: _unit_label(trace, u),
    )
    return sorted(chosen) or default
