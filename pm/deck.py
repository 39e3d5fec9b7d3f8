"""The slide layouts of the presentation deck (PDF, fpdf2): a title band, then bullets, a picture, a table."""
from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from pm import config

WIDTH, HEIGHT = 297.0, 167.0  # 16:9
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BLUE = (22, 62, 112)


class Deck(FPDF):
    """Slides: a title band, bullets on the left, a picture or a table on the right."""

    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format=(HEIGHT, WIDTH))
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False)
        self.set_title("Plateforme de scoring crédit Home Credit — soutenance")
        # The status date, not the build time: the same data give the same file.
        self.set_creation_date(datetime.combine(config.STATUS_DATE, time(), tzinfo=UTC))
        self.shown: list[tuple[str, list[str]]] = []  # each slide's title and text, as shown

    def footer(self) -> None:
        if self.page_no() > 1:
            self.set_font("DejaVu", "", 8)
            self.set_text_color(120)
            self.set_xy(10, HEIGHT - 8)
            self.cell(WIDTH - 20, 5, f"Scoring crédit Home Credit — {self.page_no()}", align="R")

    def cover(self, title: str, lines: str) -> None:
        """The first page: the title and who presents, on the band's colour."""
        self.shown.append((title, [lines]))
        self.add_page()
        self.set_fill_color(*BLUE)
        self.rect(0, 0, WIDTH, HEIGHT, style="F")
        self.set_text_color(255)
        self.set_font("DejaVu", "B", 28)
        self.set_xy(20, 50)
        self.multi_cell(WIDTH - 40, 13, title)
        self.set_font("DejaVu", "", 15)
        self.set_xy(20, 100)
        self.multi_cell(WIDTH - 40, 8, lines)

    def slide(self, title: str, bullets: list[str] = (), image: Path | None = None,
              table: list[list[str]] | None = None, note: str = "", widths: tuple | None = None,
              split: float = 118, size: float = 9.5) -> None:
        """One slide: bullets on the left (`split` mm wide when a picture or table sits on the right)."""
        self.shown.append((title, [*bullets, *(" | ".join(row) for row in table or []), note]))
        self.add_page()
        self.set_fill_color(*BLUE)
        self.rect(0, 0, WIDTH, 20, style="F")
        self.set_font("DejaVu", "B", 20)
        self.set_text_color(255)
        self.set_xy(10, 5)
        self.cell(WIDTH - 20, 10, title)
        self.set_text_color(20)
        right = image is not None or table is not None
        text_width = split if right else WIDTH - 24
        self.set_xy(12, 27)
        self.set_font("DejaVu", "", 13 if right else 15)
        for bullet in bullets:
            self.set_x(12)
            self.multi_cell(text_width, 6.6 if right else 8, f"• {bullet}", align="L", new_x="LMARGIN", new_y="NEXT")
            self.ln(1.5)
        left = split + 16 if bullets else 8
        if image is not None:
            self.image(str(image), x=left, y=23, w=WIDTH - left - 6, h=HEIGHT - 36, keep_aspect_ratio=True)
        if table:
            self._table(table, x=left if bullets else 12, width=WIDTH - left - 10 if bullets else WIDTH - 24,
                        widths=widths, size=size)
        if note:
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110)
            self.set_xy(12, HEIGHT - 14)
            self.cell(WIDTH - 24, 4, note)

    def _table(self, rows: list[list[str]], x: float, width: float, widths: tuple | None = None,
               size: float = 9.5) -> None:
        self.set_xy(x, 27)
        self.set_font("DejaVu", "", size)
        self.set_fill_color(255)
        self.set_draw_color(170)
        self.set_text_color(20)
        headings = FontFace(emphasis="BOLD", color=255, fill_color=BLUE)
        with self.table(width=width, align="LEFT", line_height=size * 0.6, first_row_as_headings=True,
                        headings_style=headings, col_widths=widths, text_align="LEFT") as table:
            for row in rows:
                table.row(row)
