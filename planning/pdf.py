"""The planning-information sheet as a PDF, made in Python (fpdf2): no browser on the server.

The text is set in DejaVu Sans (it has every Vietnamese letter), found among the system's
fonts; where it is missing the PDF is not offered and the printable page remains. The map is
the same drawing as the page's, given to fpdf2 as SVG with strokes sized for paper.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from planning.sheet import SheetMap

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)


@cache
def font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans, regular and bold, if the system has them."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def available() -> bool:
    return font_files() is not None


def _svg(drawing: SheetMap, colours: dict[str, str]) -> bytes:
    width = drawing.side_m / 400  # a hairline on a 12 cm map
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{drawing.view_box}" '
        f'width="120mm" height="120mm">'
    ]
    for zone in drawing.zones:
        parts.append(
            f'<path d="{zone["path"]}" fill="{colours.get(zone["group"], "#e3d9c6")}" '
            f'fill-opacity="0.7" stroke="#ffffff" stroke-width="{width * 2:.3f}"/>'
        )
    for road in drawing.roads:
        parts.append(
            f'<path d="{road["path"]}" fill="#c0262d" fill-opacity="0.08" stroke="#c0262d" '
            f'stroke-width="{width * 2:.3f}" stroke-dasharray="{width * 8:.3f} {width * 6:.3f}"/>'
        )
    for path in drawing.neighbours:
        parts.append(f'<path d="{path}" fill="none" stroke="#4b5563" stroke-width="{width:.3f}"/>')
    parts.append(
        f'<path d="{drawing.parcel}" fill="#fde047" fill-opacity="0.45" stroke="#111827" '
        f'stroke-width="{width * 4:.3f}"/>'
    )
    parts.append("</svg>")
    return "".join(parts).encode()


def _text(value: Any, empty: str = "—") -> str:
    if value is None or value == "":
        return empty
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def sheet_pdf(
    answer: dict[str, Any],
    drawing: SheetMap,
    *,
    issued: str,
    map_url: str,
    colours: dict[str, str],
) -> bytes:
    """The sheet's content, laid out on A4."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = font_files() or (None, None)
    if regular is None:
        raise RuntimeError("DejaVu Sans is not installed")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_title(_("Planning-information sheet") + " " + answer["parcel"]["key"])
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: float = 11) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.ln(2)
        pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(
        width, 5, _("SOCIALIST REPUBLIC OF VIET NAM"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(
        width, 5, _("Independence – Freedom – Happiness"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "B", 14)
    pdf.ln(3)
    pdf.cell(width, 8, _("PLANNING-INFORMATION SHEET"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(width, 5, issued, align="C", new_x="LMARGIN", new_y="NEXT")

    parcel = answer["parcel"]
    units = ", ".join(
        u["name"] for u in (answer["ward"], answer.get("district"), answer.get("city")) if u
    )
    heading("1. " + _("The parcel"))
    with pdf.table(col_widths=(35, 65), text_align="LEFT", line_height=5) as table:
        for label, value in (
            (_("Parcel key"), parcel["key"]),
            (_("Address"), parcel["address"]),
            (_("Administrative units"), units),
            (pgettext("planning sheet", "Area"), f"{parcel['area_m2']:.1f} m²"),
            (
                _("Current land use"),
                " – ".join(v for v in (parcel["land_use"], parcel["land_use_name"]) if v),
            ),
        ):
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(_text(value))

    heading("2. " + _("Location and plan zones"))
    x = pdf.l_margin + (width - 110) / 2
    pdf.image(io.BytesIO(_svg(drawing, colours)), x=x, w=110, h=110)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(
        width,
        5,
        _("Window %(side)s m × %(side)s m, north up.") % {"side": f"{drawing.side_m:.0f}"},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    heading("3. " + _("Plan zones and their limits"))
    if answer["zones"]:
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(
            col_widths=(12, 38, 14, 10, 12, 14, 10, 12, 22), text_align="CENTER", line_height=4.5
        ) as table:
            header = table.row()
            for label in (
                pgettext("planning sheet", "Zone"),
                pgettext("planning sheet", "Function"),
                _("Share of the parcel"),
                _("Max floors"),
                _("Max height (m)"),
                _("Max coverage (%)"),
                _("Max FAR"),
                _("Setback (m)"),
                pgettext("planning sheet", "Decision"),
            ):
                header.cell(label, style=FontFace(emphasis="BOLD"))
            for zone in answer["zones"]:
                row = table.row()
                limits = zone["limits"]
                row.cell(_text(zone["zone_id"]))
                row.cell(f"{zone['code']} – {zone['name']}", align="LEFT")
                row.cell(f"{zone['share_pct']:.1f} %")
                for key in (
                    "max_floors",
                    "max_height_m",
                    "max_coverage_pct",
                    "max_far",
                    "setback_m",
                ):
                    row.cell(_text(limits[key]))
                row.cell(zone["decision"]["number"])
    else:
        pdf.multi_cell(
            width, 5, _("No approved plan zone covers this parcel."), new_x="LMARGIN", new_y="NEXT"
        )

    heading("4. " + _("Road boundaries"))
    if answer["road_boundaries"]:
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(
            col_widths=(40, 20, 20, 20, 25), text_align="CENTER", line_height=4.5
        ) as table:
            header = table.row()
            for label in (
                pgettext("planning sheet", "Street"),
                _("Planned width (m)"),
                _("Reach into it (m)"),
                _("Area inside it (m²)"),
                pgettext("planning sheet", "Decision"),
            ):
                header.cell(label, style=FontFace(emphasis="BOLD"))
            for road in answer["road_boundaries"]:
                row = table.row()
                row.cell(road["street"], align="LEFT")
                row.cell(_text(road["planned_width_m"]))
                row.cell(f"{road['reach_m']:.2f}")
                row.cell(_text(road["inside_m2"]))
                row.cell(road["decision"]["number"] if road["decision"] else "—")
    else:
        pdf.multi_cell(
            width,
            5,
            _("The parcel does not face a street with a recorded road boundary."),
            new_x="LMARGIN",
            new_y="NEXT",
        )

    heading("5. " + _("Plan decisions"))
    seen = set()
    for item in [*answer["zones"], *answer["road_boundaries"]]:
        d = item["decision"]
        if not d or d["number"] in seen:
            continue
        seen.add(d["number"])
        pdf.multi_cell(
            width,
            5,
            f"{d['number']} ({d['decided_on']}, {d['authority']}): {d['title']} "
            f"({d['kind_label']}, {d['scale_label']}; {d['status_label']})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        width,
        4,
        _(
            "This sheet gives information from the approved plans for reference; it is not a "
            "construction permit and does not replace the documents of the competent authority."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(
        width, 4, _("On the map:") + " " + map_url, link=map_url, new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
