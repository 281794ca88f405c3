"""A scanned page's table grid, from its ruling lines (OpenCV morphology).

Ink is separated from paper with an adaptive threshold; opening it with a long thin horizontal (or
vertical) kernel keeps only strokes longer than any letter: the ruling lines. Their slope gives
the page's skew, which is turned out before the grid is read. A boundary between two cells with no
line drawn along it is a merged cell (a section heading spanning the row, a cell merged down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LINE_MM = 3.0  # a ruling line is longer than this; no letter stroke at plan sizes is
_ROW_SHARE = 0.3  # a horizontal line crosses at least this share of the page's width
_COLUMN_SHARE = 0.25  # a vertical line runs at least this share of the table's height
_DRAWN = 0.5  # share of a cell boundary a line must cover to be drawn there
_MIN_SKEW = 0.05  # degrees: below this the page is left as it is


@dataclass
class Grid:
    rows: list[int]  # y of each horizontal ruling line, top to bottom
    columns: list[int]  # x of each vertical ruling line, left to right
    merged_left: list[list[bool]]  # [row][column]: no line between this cell and the one to its left
    merged_up: list[list[bool]]  # [row][column]: no line between this cell and the one above
    thickness: int  # pixels to stay clear of a line when cutting a cell out
    lines: np.ndarray  # 255 where a ruling line is: painted out before cells are read

    def without_lines(self, gray: np.ndarray) -> np.ndarray:
        """The page with its ruling lines painted white: a line's edge would be read as «|»."""
        clean = gray.copy()
        clean[self.lines > 0] = 255
        return clean

    def box(self, row: int, first: int, last: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) inside the lines of cells first..last of a row."""
        t = self.thickness
        return self.columns[first] + t, self.rows[row] + t, self.columns[last + 1] - t, self.rows[row + 1] - t


def ink(gray: np.ndarray) -> np.ndarray:
    """255 where there is ink: an adaptive threshold copes with uneven scans and JPEG noise."""
    import cv2

    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def _lines(mask: np.ndarray, length: int, horizontal: bool) -> np.ndarray:
    import cv2

    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    grow = cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3) if horizontal else (3, 1))
    return cv2.dilate(opened, grow)


def skew_angle(gray: np.ndarray, px_per_mm: float) -> float:
    """Degrees the page is turned, from the slope of its long horizontal lines (0 if none)."""
    import cv2

    width = gray.shape[1]
    horizontal = _lines(ink(gray), max(int(width / 25), 10), horizontal=True)
    contours, _ = cv2.findContours(horizontal, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    angles = []
    for contour in contours:
        if cv2.boundingRect(contour)[2] > width / 4:
            vx, vy, _, _ = cv2.fitLine(contour, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            angles.append(float(np.degrees(np.arctan2(vy, vx))))
    return float(np.median(angles)) if angles else 0.0


def deskew(gray: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The page turned straight (white where the turn uncovers paper)."""
    import cv2

    angle = skew_angle(gray, px_per_mm)
    if abs(angle) < _MIN_SKEW:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)


def _centres(profile: np.ndarray, threshold: float) -> list[int]:
    """Centres of the runs where `profile` exceeds `threshold`."""
    on = np.concatenate([[False], profile > threshold, [False]])
    edges = np.flatnonzero(on[1:] != on[:-1])
    return [int((start + end - 1) // 2) for start, end in zip(edges[::2], edges[1::2])]


def _drawn(mask: np.ndarray) -> bool:
    """Whether a line runs along most of a boundary strip (rows of `mask` are along the boundary)."""
    return mask.size > 0 and float(mask.any(axis=1).mean()) >= _DRAWN


def find_grid(gray: np.ndarray, px_per_mm: float) -> Grid | None:
    """The page's table grid, or None when it has no ruled table."""
    mask = ink(gray)
    length = max(int(_LINE_MM * px_per_mm), 8)
    horizontal = _lines(mask, max(length, int(gray.shape[1] / 25)), horizontal=True)
    rows = _centres(horizontal.sum(axis=1) / 255, _ROW_SHARE * gray.shape[1])
    if len(rows) < 3:
        return None
    vertical = _lines(mask, length, horizontal=False)
    band = vertical[rows[0]: rows[-1] + 1]
    columns = _centres(band.sum(axis=0) / 255, _COLUMN_SHARE * band.shape[0])
    if len(columns) < 3:
        return None
    t = max(2, int(0.25 * px_per_mm))
    merged_left = [[c > 0 and not _drawn(vertical[rows[r] + t: rows[r + 1] - t, columns[c] - t: columns[c] + t + 1])
                    for c in range(len(columns) - 1)] for r in range(len(rows) - 1)]
    merged_up = [[r > 0 and not _drawn(horizontal[rows[r] - t: rows[r] + t + 1, columns[c] + t: columns[c + 1] - t].T)
                  for c in range(len(columns) - 1)] for r in range(len(rows) - 1)]
    import cv2

    return Grid(rows, columns, merged_left, merged_up, t, cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8)))
