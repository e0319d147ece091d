"""Where an outline icon puts ink: its paths drawn on a small grid, to tell two pictures apart.

Only what the icon set uses: `<path>` elements with a 2-unit round stroke in a 24x24
view box (`static/icons/README.md`). Paths with `stroke="none"` (Tabler's invisible
bounding box) draw nothing.

>>> from pathlib import Path
>>> icons = Path(__file__).resolve().parents[2] / "static" / "icons"
>>> overlap(ink(icons / "sometimes.svg"), ink(icons / "sometimes.svg"))
1.0
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
from PIL import Image, ImageDraw

SCALE = 4  # grid cells per view-box unit
SIZE = 24
STROKE = 2
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?")
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


def ink(path: Path) -> np.ndarray:
    """The cells an icon's strokes cover, as a boolean SIZE*SCALE square."""
    image = Image.new("L", (SIZE * SCALE, SIZE * SCALE), 0)
    draw = ImageDraw.Draw(image)
    radius = STROKE * SCALE / 2
    for element in ElementTree.parse(path).getroot().iter():
        if not element.tag.endswith("path") or element.get("stroke") == "none":
            continue
        for line in polylines(element.get("d", "")):
            points = [(x * SCALE, y * SCALE) for x, y in line]
            if len(points) > 1:
                draw.line(points, fill=255, width=STROKE * SCALE)
            for x, y in points:  # round caps and joins
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(image) > 0


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Ink in common over ink in either (1.0: the same picture; 0.0: nothing shared)."""
    return float((a & b).sum() / (a | b).sum())


def polylines(d: str) -> list[list[tuple[float, float]]]:
    """A path's subpaths as points, curves and arcs sampled along their length.

    >>> polylines("M3 21h18")
    [[(3.0, 21.0), (21.0, 21.0)]]
    >>> polylines("M12 4l3 3l-3 3z")
    [[(12.0, 4.0), (15.0, 7.0), (12.0, 10.0), (12.0, 4.0)]]
    """
    tokens = _TOKEN.findall(d)
    lines: list[list[tuple[float, float]]] = []
    line: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    command, control, i = "", None, 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command, i = tokens[i], i + 1
            if command in "Zz":
                line.append((start_x, start_y))
                x, y, control = start_x, start_y, None
                continue
        kind = command.lower()
        args = [float(value) for value in tokens[i : i + _ARITY[kind]]]
        i += _ARITY[kind]
        dx, dy = (x, y) if command.islower() else (0.0, 0.0)
        new_control = None
        if kind == "m":
            if line:
                lines.append(line)
            x, y = args[0] + dx, args[1] + dy
            start_x, start_y, line = x, y, [(x, y)]
            command = "l" if command.islower() else "L"  # further pairs are lines
        elif kind == "l":
            x, y = args[0] + dx, args[1] + dy
            line.append((x, y))
        elif kind == "h":
            x = args[0] + dx
            line.append((x, y))
        elif kind == "v":
            y = args[0] + dy
            line.append((x, y))
        elif kind in "cs":
            if kind == "c":
                first, (cx, cy), end = (args[0] + dx, args[1] + dy), (args[2] + dx, args[3] + dy), (args[4] + dx, args[5] + dy)
            else:
                first = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                (cx, cy), end = (args[0] + dx, args[1] + dy), (args[2] + dx, args[3] + dy)
            line += _cubic((x, y), first, (cx, cy), end)
            new_control, (x, y) = (cx, cy), end
        elif kind in "qt":
            if kind == "q":
                quad, end = (args[0] + dx, args[1] + dy), (args[2] + dx, args[3] + dy)
            else:
                quad, end = ((2 * x - control[0], 2 * y - control[1]) if control else (x, y)), (args[0] + dx, args[1] + dy)
            first = (x + 2 / 3 * (quad[0] - x), y + 2 / 3 * (quad[1] - y))
            second = (end[0] + 2 / 3 * (quad[0] - end[0]), end[1] + 2 / 3 * (quad[1] - end[1]))
            line += _cubic((x, y), first, second, end)
            new_control, (x, y) = quad, end
        else:  # "a"
            end = (args[5] + dx, args[6] + dy)
            line += _arc((x, y), args[0], args[1], args[2], bool(args[3]), bool(args[4]), end)
            x, y = end
        control = new_control
    if line:
        lines.append(line)
    return lines


def _cubic(p0, p1, p2, p3, steps=16):
    points = []
    for step in range(1, steps + 1):
        t = step / steps
        u = 1 - t
        points.append(
            tuple(u**3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t**3 * d for a, b, c, d in zip(p0, p1, p2, p3, strict=True))
        )
    return points


def _arc(start, rx, ry, rotation, large, sweep, end, steps=24):
    """An elliptical arc from endpoint form to points (SVG 1.1, appendix F.6.5)."""
    (x1, y1), (x2, y2) = start, end
    if rx == 0 or ry == 0 or start == end:
        return [end]
    rx, ry = abs(rx), abs(ry)
    cos, sin = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    hx, hy = (x1 - x2) / 2, (y1 - y2) / 2
    px, py = cos * hx + sin * hy, -sin * hx + cos * hy
    grow = px**2 / rx**2 + py**2 / ry**2
    if grow > 1:  # radii too small to reach: scaled up, as the spec says
        rx, ry = rx * math.sqrt(grow), ry * math.sqrt(grow)
    numerator = rx**2 * ry**2 - rx**2 * py**2 - ry**2 * px**2
    factor = math.sqrt(max(0.0, numerator / (rx**2 * py**2 + ry**2 * px**2))) * (-1 if large == sweep else 1)
    cpx, cpy = factor * rx * py / ry, -factor * ry * px / rx
    cx, cy = cos * cpx - sin * cpy + (x1 + x2) / 2, sin * cpx + cos * cpy + (y1 + y2) / 2
    theta = math.atan2((py - cpy) / ry, (px - cpx) / rx)
    delta = math.atan2((-py - cpy) / ry, (-px - cpx) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    points = []
    for step in range(1, steps + 1):
        angle = theta + delta * step / steps
        ex, ey = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos * ex - sin * ey + cx, sin * ex + cos * ey + cy))
    return points
