"""A small drawing surface over plotly shapes and annotations, in data units of a fixed canvas.

The canvas keeps 1 x unit == 1 y unit on screen (scaleanchor), so circles stay round and the
drawing keeps its proportions at any figure width; extra width only adds margin at the sides.
"""

from __future__ import annotations

import plotly.graph_objects as go

from figures.style import FONT_FAMILY, FONT_SIZE, MUTED, PAPER, TEXT, base_layout

PIPE = "#94a3b8"  # colour of the lines that carry values


class Canvas:
    """Collects shapes, annotations and hover markers, then builds one figure."""

    def __init__(self, width: float, height: float):
        self.width = width
        self.height = height
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []
        self.hovers: list[dict] = []  # x, y, text, name, size, customdata of each hover mark

    # -- primitives -------------------------------------------------------------------------

    def line(self, x0, y0, x1, y1, color=PIPE, width=3.0, dash="solid", name=None):
        shape = {
            "type": "line",
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            "line": {"color": color, "width": width, "dash": dash},
            "layer": "below",
        }
        if name:
            shape["name"] = name
        self.shapes.append(shape)

    def polyline(self, points, color=PIPE, width=3.0, dash="solid"):
        path = "M " + " L ".join(f"{x},{y}" for x, y in points)
        self.shapes.append(
            {
                "type": "path",
                "path": path,
                "line": {"color": color, "width": width, "dash": dash},
                "layer": "below",
            }
        )

    def arrow(self, x0, y0, x1, y1, color=PIPE, width=3.0):
        """An arrow from (x0, y0) to (x1, y1)."""
        self.annotations.append(
            {
                "x": x1,
                "y": y1,
                "ax": x0,
                "ay": y0,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "text": "",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 1.0,
                "arrowwidth": width,
                "arrowcolor": color,
                "standoff": 0,
            }
        )

    def rect(self, x0, y0, x1, y1, fill="rgba(0,0,0,0)", color=TEXT, width=2.0, name=None,
             radius=0.0, dash="solid"):
        """A rectangle; `radius` > 0 rounds its corners."""
        line = {"color": color, "width": width, "dash": dash}
        if radius <= 0:
            shape = {"type": "rect", "x0": x0, "y0": y0, "x1": x1, "y1": y1}
        else:
            r = min(radius, (x1 - x0) / 2, (y1 - y0) / 2)
            path = (
                f"M {x0 + r},{y0} L {x1 - r},{y0} Q {x1},{y0} {x1},{y0 + r} "
                f"L {x1},{y1 - r} Q {x1},{y1} {x1 - r},{y1} L {x0 + r},{y1} "
                f"Q {x0},{y1} {x0},{y1 - r} L {x0},{y0 + r} Q {x0},{y0} {x0 + r},{y0} Z"
            )
            shape = {"type": "path", "path": path}
        shape.update({"fillcolor": fill, "line": line, "layer": "below"})
        if name:
            shape["name"] = name
        self.shapes.append(shape)

    def circle(self, cx, cy, r, fill=PAPER, color=TEXT, width=2.5, name=None):
        shape = {
            "type": "circle",
            "x0": cx - r,
            "y0": cy - r,
            "x1": cx + r,
            "y1": cy + r,
            "fillcolor": fill,
            "line": {"color": color, "width": width},
            "layer": "below",
        }
        if name:
            shape["name"] = name
        self.shapes.append(shape)

    def text(self, x, y, text, size=FONT_SIZE, color=TEXT, xanchor="center", yanchor="middle",
             bold=False, align=None, bgcolor=None, name=None, angle=0):
        """A label; `text` may use plotly's HTML subset (<sub>, <b>, <br>)."""
        ann = {
            "x": x,
            "y": y,
            "xref": "x",
            "yref": "y",
            "text": f"<b>{text}</b>" if bold else text,
            "showarrow": False,
            "xanchor": xanchor,
            "yanchor": yanchor,
            "font": {"size": size, "color": color, "family": FONT_FAMILY},
            "align": align or {"left": "left", "right": "right"}.get(xanchor, "center"),
        }
        if bgcolor:
            ann["bgcolor"] = bgcolor
        if name:
            ann["name"] = name
        if angle:
            ann["textangle"] = angle
        self.annotations.append(ann)

    def hover(self, x, y, text, name, size=30, customdata=None):
        """An invisible marker that shows `text` on hover."""
        self.hovers.append({"x": x, "y": y, "text": text, "name": name, "size": size,
                            "customdata": customdata})

    # -- compound pieces --------------------------------------------------------------------

    def valve(self, cx, cy, value, color, name, flow="v", across=1.3, along=0.46, tint="#ffffff"):
        """A gate drawn as a valve on a pipe: two plates leave a gap of `value` × its width.

        `flow` "v": the pipe runs vertically through the valve (plates slide left/right);
        "h": the pipe runs horizontally. Shapes are named "<name>-body", "<name>-plate-a",
        "<name>-plate-b"; the gap between the plates is `value * across`.
        """
        v = min(max(float(value), 0.0), 1.0)
        plate = (1.0 - v) * across / 2
        if flow == "v":
            x0, x1, y0, y1 = cx - across / 2, cx + across / 2, cy - along / 2, cy + along / 2
            a = (x0, y0, x0 + plate, y1)
            b = (x1 - plate, y0, x1, y1)
            pipe = (cx, y0, cx, y1)
        else:
            x0, x1, y0, y1 = cx - along / 2, cx + along / 2, cy - across / 2, cy + across / 2
            a = (x0, y0, x1, y0 + plate)
            b = (x0, y1 - plate, x1, y1)
            pipe = (x0, cy, x1, cy)
        self.rect(x0, y0, x1, y1, fill=tint, color=color, width=2.0, name=f"{name}-body")
        if v > 0.01:  # the flow shows through the gap
            self.line(*pipe, width=3.0, name=f"{name}-pipe")
        self.rect(*a, fill=color, color=color, width=1.0, name=f"{name}-plate-a")
        self.rect(*b, fill=color, color=color, width=1.0, name=f"{name}-plate-b")

    def node(self, cx, cy, r, label, color, fill=PAPER, size=FONT_SIZE + 2):
        """A round operation node with a label inside."""
        self.circle(cx, cy, r, fill=fill, color=color)
        self.text(cx, cy, label, size=size, color=color, bold=True)

    # -- output -----------------------------------------------------------------------------

    def figure(self, height: int, meta: dict | None = None) -> go.Figure:
        fig = go.Figure(data=[_hover_trace(h) for h in self.hovers])
        base_layout(fig, height, margin={"l": 6, "r": 6, "t": 6, "b": 6})
        axis = {
            "visible": False,
            "showgrid": False,
            "zeroline": False,
            "showticklabels": False,
            "fixedrange": True,
        }
        fig.update_xaxes(range=[0, self.width], **axis)
        fig.update_yaxes(range=[0, self.height], scaleanchor="x", scaleratio=1, **axis)
        fig.update_layout(
            shapes=self.shapes,
            annotations=self.annotations,
            showlegend=False,
            hovermode="closest",
            meta={"canvas": True} | (meta or {}),  # presenter view scales a canvas whole
        )
        return fig


def _hover_trace(h: dict) -> go.Scatter:
    """An invisible marker that shows its text on hover."""
    return go.Scatter(
        x=[h["x"]], y=[h["y"]], mode="markers",
        marker={"size": h["size"], "color": "rgba(0,0,0,0)"},
        hovertext=[h["text"]], hoverinfo="text", name=h["name"],
        customdata=[h["customdata"]] if h["customdata"] is not None else None,
        showlegend=False,
    )


def muted(text: str) -> str:
    return f"<span style='color:{MUTED}'>{text}</span>"
