"""Layer import: Shapefile, GeoJSON, GeoPackage and FlatGeobuf into PostGIS, all or nothing.

A file is streamed in chunks through GDAL's Arrow interface (bounded memory), each chunk's
attributes are decoded and checked and its geometries reprojected to EPSG:4326 and repaired
with shapely, then written with PostgreSQL binary `COPY` (encoded column by column with
Arrow, not row by row) into a temporary staging table. When the whole file has been read,
one set-based statement per kind merges the staging table into the real one by natural
key, inside the same transaction: a fatal problem anywhere rolls everything back, and
re-importing the same file updates in place instead of duplicating. A kind that declares a
`direct` load skips the staging table when its table is empty: the chunks are checked in
Python and COPYed straight into the table, whose indexes and constraints are built after.

What a kind of layer is (its fields, natural key and merge) is declared with
`register_kind()`; the spatial core registers administrative units and parcels, feature
apps register theirs from their `AppConfig.ready()`.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from tqdm import tqdm

from gis import encodings as vnenc
from gis.text import fold_array, nfc_array

FieldType = Literal["text", "int", "float", "date"]
GeometryKind = Literal["polygon", "line", "point"]

_SQL_TYPES = {"text": "text", "int": "bigint", "float": "double precision", "date": "date"}
_COPY_TYPES = {"text": "text", "int": "int8", "float": "float8", "date": "date"}
_ARROW_TYPES = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32()}
_GEOMETRY_TYPES = {
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
}
_SHAPELY_PART_TYPE = {"polygon": 3, "line": 1, "point": 0}  # shapely.GeometryType values
# Geographic bounds any layer of ours must fall in after reprojection: Viet Nam, with margin.
_VIETNAM_BOUNDS = (100.0, 6.0, 118.0, 25.0)


class ImportFailed(Exception):
    """A fatal problem with the file: nothing was written, and the message says why."""


@dataclass(frozen=True)
class FieldSpec:
    """A target field of a kind; `vietnamese` fields must arrive as readable Vietnamese."""

    name: str
    type: FieldType = "text"
    required: bool = False
    vietnamese: bool = False
    aliases: tuple[str, ...] = ()
    # Also stage a diacritics-free, lower-case copy as `<name>_folded`, for search columns.
    folded: bool = False
    minimum: int | None = None  # for numbers: the smallest value allowed
    maximum: int | None = None  # and the largest (a table's integer column holds < 2**31)


@dataclass(frozen=True)
class ImportKind:
    """What `import_layer KIND` loads: the fields it reads and how it merges them."""

    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    geometry: GeometryKind
    # merge(cursor, staging_table, options) -> (created, updated, warnings); it runs
    # set-based SQL from the staging table and may raise ImportFailed.
    merge: Callable[[Any, str, dict[str, Any]], tuple[int, int, list[str]]]
    multi: bool = True  # store as the Multi* type
    # Optional: merge_chunk(cursor, staging, first_row, last_row, options) -> (created,
    # updated) writes one chunk while the next is being read, for big layers. The final
    # `merge` then only checks the whole file (and may still refuse it) and adds to counts.
    merge_chunk: Callable[[Any, str, int, int, dict[str, Any]], tuple[int, int]] | None = None
    # The table the kind loads into, and optionally `direct(cursor, options)` -> DirectLoad:
    # when that table is empty, the rows go straight into it (no staging table, no merge)
    # and its secondary indexes, unique constraints and foreign keys are built after.
    table: str | None = None
    direct: Callable[[Any, dict[str, Any]], DirectLoad] | None = None


@dataclass
class Chunk:
    """One chunk of prepared rows, column by column; refused rows are already left out."""

    rows: np.ndarray  # the file's row numbers (from 1), int32
    values: dict[str, pa.Array]  # each field, and `<name>_folded` for folded ones
    wkb: pa.Array  # the geometries, as WKB in EPSG:4326

    def __len__(self) -> int:
        return len(self.rows)


class DirectLoad:
    """How a kind writes a first load straight into its table, checked without SQL.

    `columns` names the table's columns and their COPY types (int4, int8, float8, date,
    text, bytea; a geometry column takes WKB as bytea). `values` turns a chunk into those
    columns, refusing the file (ImportFailed naming the row) when a value cannot go in;
    `finish` runs the whole-file checks once every chunk is read (while the last ones are
    still being written, so it cannot use the connection) and returns warnings.
    """

    columns: tuple[tuple[str, str], ...] = ()

    def values(self, chunk: Chunk) -> list[pa.Array | np.ndarray]:
        raise NotImplementedError

    def finish(self) -> list[str]:
        return []


@dataclass
class RowIssue:
    row: int
    reason: str


@dataclass
class ImportSummary:
    kind: str
    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    repaired: list[RowIssue] = field(default_factory=list)
    refused: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    encoding: str | None = None
    source_crs: str = ""

    @property
    def unchanged(self) -> int:
        return self.read - len(self.refused) - self.created - self.updated


_KINDS: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> dict[str, ImportKind]:
    return dict(_KINDS)


def get_kind(name: str) -> ImportKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ImportFailed(
            _("Unknown kind of layer “%(kind)s”. Known kinds: %(known)s.")
            % {"kind": name, "known": ", ".join(sorted(_KINDS))}
        ) from None


# --- reading the file ------------------------------------------------------------------


def _read_info(path: Path, layer: str | None) -> dict[str, Any]:
    import pyogrio  # here, not at the top: it imports pandas, which most processes never need

    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise ImportFailed(
            _("Cannot read %(path)s as a GIS file (%(error)s).") % {"path": path, "error": exc}
        ) from exc
    names = [str(name) for name, _geom in layers]
    if layer is None and len(names) > 1:
        raise ImportFailed(
            _("%(path)s holds several layers (%(layers)s): choose one with --layer.")
            % {"path": path, "layers": ", ".join(names)}
        )
    if layer is not None and layer not in names:
        raise ImportFailed(
            _("%(path)s has no layer “%(layer)s”; its layers are: %(layers)s.")
            % {"path": path, "layer": layer, "layers": ", ".join(names)}
        )
    try:
        return pyogrio.read_info(path, layer=layer)
    except Exception as exc:
        raise ImportFailed(
            _("Cannot read %(path)s (%(error)s).") % {"path": path, "error": exc}
        ) from exc


def _source_crs(info: dict[str, Any], srid: int | None) -> CRS:
    if srid is not None:
        try:
            return CRS.from_epsg(srid)
        except CRSError:
            raise ImportFailed(
                _("EPSG:%(srid)s is not a coordinate reference system PROJ knows.") % {"srid": srid}
            ) from None
    if not info.get("crs"):
        raise ImportFailed(
            _(
                "The file does not say which coordinate reference system it uses. "
                "Give it with --srid (for example --srid 9210 for VN-2000 / TM-3 105°45′)."
            )
        )
    try:
        return CRS.from_user_input(info["crs"])
    except CRSError as exc:
        raise ImportFailed(
            _("The file's coordinate reference system is not understood (%(error)s).")
            % {"error": exc}
        ) from exc


def _resolve_columns(
    kind: ImportKind, file_fields: Sequence[str], mapping: dict[str, str]
) -> dict[str, str | None]:
    """Map each target field to a column of the file (exact, then case-insensitive, then alias)."""
    unknown = set(mapping) - {spec.name for spec in kind.fields}
    if unknown:
        raise ImportFailed(
            _(
                "--map names fields that %(kind)s does not have: %(fields)s. Its fields are: %(known)s."
            )
            % {
                "kind": kind.name,
                "fields": ", ".join(sorted(unknown)),
                "known": ", ".join(spec.name for spec in kind.fields),
            }
        )
    by_lower = {name.lower(): name for name in file_fields}
    columns: dict[str, str | None] = {}
    for spec in kind.fields:
        if spec.name in mapping:
            wanted = mapping[spec.name]
            if not wanted:  # `--map FIELD=` : do not read this field at all
                if spec.required:
                    raise ImportFailed(
                        _("--map %(field)s=: “%(field)s” is required and cannot be left out.")
                        % {"field": spec.name}
                    )
                columns[spec.name] = None
                continue
            if wanted not in file_fields:
                raise ImportFailed(
                    _(
                        "--map %(field)s=%(column)s: the file has no column “%(column)s”. Its columns are: %(columns)s."
                    )
                    % {"field": spec.name, "column": wanted, "columns": ", ".join(file_fields)}
                )
            columns[spec.name] = wanted
            continue
        found = None
        for candidate in (spec.name, *spec.aliases):
            if candidate.lower() in by_lower:
                found = by_lower[candidate.lower()]
                break
        if found is None and spec.required:
            raise ImportFailed(
                _(
                    "Required field “%(field)s” is missing: no column named %(names)s. "
                    "Columns in the file: %(columns)s. Map one with --map %(field)s=COLUMN."
                )
                % {
                    "field": spec.name,
                    "names": " / ".join((spec.name, *spec.aliases)),
                    "columns": ", ".join(file_fields) or "—",
                }
            )
        columns[spec.name] = found
    return columns


def _is_shapefile(info: dict[str, Any]) -> bool:
    return info.get("driver") == "ESRI Shapefile"


class _TextDecoder:
    """Turns a text column into NFC Unicode, decoding legacy shapefile bytes when needed.

    For a shapefile with no `.cpg`, GDAL cannot know the encoding, so the bytes are read
    as Latin-1 (lossless) and decoded here: with `--encoding` when given, else with the
    first encoding under which the values read as Vietnamese.
    """

    def __init__(self, raw: bool, encoding: str | None) -> None:
        self.raw = raw
        self.encoding = encoding

    def decode_column(
        self, array: pa.Array, spec: FieldSpec, column: str, first_row: int
    ) -> pa.Array:
        """Decode one chunk of a text column into NFC text, checked when it must be Vietnamese."""
        if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
            array = array.cast(pa.string())  # numbers read into a text field
        elif self.raw:
            array = array.cast(pa.binary())  # legacy bytes, decoded below
        if self.raw:
            out = pa.array(
                self._decode_raw(array.to_pylist(), spec, column, first_row), pa.string()
            )
        else:
            out = nfc_array(array)
        if spec.vietnamese:
            bad = vnenc.first_not_vietnamese_array(out)
            if bad is not None:
                raise ImportFailed(
                    _(
                        "Field “%(field)s” (column %(column)s), row %(row)s: “%(text)s” is not "
                        "readable Vietnamese; the file's text encoding is probably not "
                        "%(encoding)s. Name the right one with --encoding (utf-8, cp1258, tcvn3 or vni)."
                    )
                    % {
                        "field": spec.name,
                        "column": column,
                        "row": first_row + bad,
                        "text": out[bad].as_py()[:60],
                        "encoding": self.encoding or "UTF-8",
                    }
                )
        return out

    def _decode_raw(
        self, values: list[Any], spec: FieldSpec, column: str, first_row: int
    ) -> list[str | None]:
        if self.encoding is None:
            samples = [v for v in values if isinstance(v, bytes) and v and not v.isascii()]
            if samples:
                self.encoding = vnenc.guess_encoding(samples[:500])
                if self.encoding is None:
                    row = first_row + next(
                        i
                        for i, v in enumerate(values)
                        if isinstance(v, bytes) and v and not v.isascii()
                    )
                    raise ImportFailed(
                        _(
                            "Field “%(field)s” (column %(column)s), row %(row)s: cannot tell the "
                            "text encoding of this shapefile (it has no .cpg file). Name it with "
                            "--encoding (utf-8, cp1258, tcvn3 or vni)."
                        )
                        % {"field": spec.name, "column": column, "row": row}
                    )
        out: list[str | None] = []
        for offset, value in enumerate(values):
            if value is None or isinstance(value, str):
                out.append(value.strip() if value else value)
                continue
            try:
                out.append(vnenc.decode(value, self.encoding or "ascii").strip())
            except (vnenc.LegacyDecodeError, UnicodeError, LookupError) as exc:
                raise ImportFailed(
                    _("Field “%(field)s” (column %(column)s), row %(row)s: %(error)s")
                    % {
                        "field": spec.name,
                        "column": column,
                        "row": first_row + offset,
                        "error": exc,
                    }
                ) from exc
        return out


def _check_range(data: pa.Array, spec: FieldSpec, column: str, first_row: int) -> None:
    """Refuse the file at the first number below the field's minimum or above its maximum."""
    for below, limit in ((True, spec.minimum), (False, spec.maximum)):
        if limit is None:
            continue
        bad = pc.fill_null((pc.less if below else pc.greater)(data, limit), False)
        if not pc.any(bad).as_py():
            continue
        offset = pc.index(bad, True).as_py()
        values = {
            "field": spec.name,
            "column": column,
            "row": first_row + offset,
            "value": data[offset].as_py(),
        }
        if below:
            raise ImportFailed(
                _(
                    "Field “%(field)s” (column %(column)s), row %(row)s: %(value)s is below %(minimum)s."
                )
                % {**values, "minimum": spec.minimum}
            )
        raise ImportFailed(
            _(
                "Field “%(field)s” (column %(column)s), row %(row)s: “%(value)s” is not a valid %(type)s."
            )
            % {**values, "type": _("whole number") if spec.type == "int" else _("number")}
        )


def _convert(values: list[Any], spec: FieldSpec, column: str, first_row: int) -> list[Any]:
    """Convert a column to its field's type, refusing the whole file on the first bad value."""
    if spec.type in ("int", "float") and all(type(v) in (int, float) for v in values):
        if spec.type == "float" or all(type(v) is int for v in values):
            return values

    def fail(offset: int, value: Any) -> ImportFailed:
        return ImportFailed(
            _(
                "Field “%(field)s” (column %(column)s), row %(row)s: “%(value)s” is not a valid %(type)s."
            )
            % {
                "field": spec.name,
                "column": column,
                "row": first_row + offset,
                "value": value,
                "type": {
                    "int": _("whole number"),
                    "float": _("number"),
                    "date": _("date (YYYY-MM-DD)"),
                }[spec.type],
            }
        )

    out: list[Any] = []
    for offset, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(None)
            continue
        try:
            if spec.type == "int":
                number = float(value) if isinstance(value, str) else value
                if isinstance(number, float):
                    if not number.is_integer():
                        raise ValueError(value)
                    number = int(number)
                if not -(2**63) <= number < 2**63:
                    raise OverflowError(value)
                out.append(int(number))
            elif spec.type == "float":
                out.append(float(value))
            elif spec.type == "date":
                if isinstance(value, dt.datetime):
                    out.append(value.date())
                elif isinstance(value, dt.date):
                    out.append(value)
                else:
                    out.append(dt.date.fromisoformat(str(value).strip()[:10]))
            else:
                out.append(value)
        except (TypeError, ValueError, OverflowError):
            raise fail(offset, value) from None
    return out


# --- geometry ------------------------------------------------------------------------


def _prepare_geometries(
    wkb: np.ndarray,
    transformer: Transformer | None,
    kind: ImportKind,
    first_row: int,
    summary: ImportSummary,
) -> tuple[np.ndarray, np.ndarray]:
    """Parse, reproject, repair and normalise one chunk's geometries.

    Returns the geometries (None where refused) and a mask of the rows whose source WKB can
    be stored as it is: valid, 2D, already Multi*, already in EPSG:4326.
    """
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    flat = not shapely.has_z(geoms).any()
    if not flat:
        geoms = shapely.force_2d(geoms)
    if transformer is not None:
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for index in np.flatnonzero(missing):
        summary.refused.append(RowIssue(first_row + int(index), _("empty or unreadable geometry")))
        geoms[index] = None

    present = ~missing
    if present.any():
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
        lon0, lat0, lon1, lat1 = _VIETNAM_BOUNDS
        if not (lon0 <= xmin and xmax <= lon1 and lat0 <= ymin and ymax <= lat1):
            raise ImportFailed(
                _(
                    "Rows %(first)s–%(last)s lie outside Viet Nam once converted to longitude and "
                    "latitude (bounds %(bounds)s): the source coordinate reference system is "
                    "probably wrong. Give the right one with --srid."
                )
                % {
                    "first": first_row,
                    "last": first_row + len(geoms) - 1,
                    "bounds": ", ".join(f"{v:.4f}" for v in (xmin, ymin, xmax, ymax)),
                }
            )

    invalid = present & ~shapely.is_valid(geoms)
    for index in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[index])
        repaired = shapely.make_valid(geoms[index])
        geoms[index] = repaired
        summary.repaired.append(RowIssue(first_row + int(index), reason))

    # One Multi* geometry per row: Multi* rows pass as they are, single ones are wrapped,
    # and anything else (a repair may leave a collection with lines or points) keeps only
    # the parts of the layer's own type.
    part_type = _SHAPELY_PART_TYPE[kind.geometry]
    collect = {
        "polygon": shapely.multipolygons,
        "line": shapely.multilinestrings,
        "point": shapely.multipoints,
    }[kind.geometry]
    types = shapely.get_type_id(geoms)
    out = np.empty(len(geoms), dtype=object)
    already = types == part_type + 3  # Point 0 -> MultiPoint 4, LineString 1 -> 5, Polygon 3 -> 6
    out[already] = geoms[already]
    single = types == part_type
    if single.any():
        out[single] = collect(geoms[single], indices=np.arange(int(single.sum())))
    other = present & ~already & ~single
    if other.any():
        parts, index = shapely.get_parts(geoms[other], return_index=True)
        keep = (shapely.get_type_id(parts) == part_type) & ~shapely.is_empty(parts)
        collected = np.empty(int(other.sum()), dtype=object)
        if keep.any():
            collect(parts[keep], indices=index[keep], out=collected)
        out[other] = collected
    lost = present & shapely.is_missing(out)
    wrong_type = present & ~invalid & lost
    for row_index in np.flatnonzero(lost):
        if wrong_type[row_index]:
            reason = _("geometry is a %(type)s, not a %(wanted)s") % {
                "type": geoms[row_index].geom_type,
                "wanted": kind.geometry,
            }
        else:
            reason = _("invalid geometry that cannot be repaired")
            summary.repaired[:] = [
                r for r in summary.repaired if r.row != first_row + int(row_index)
            ]
        summary.refused.append(RowIssue(first_row + int(row_index), reason))
    untouched = already & ~invalid & present
    if not (flat and transformer is None):
        untouched[:] = False
    if not kind.multi:
        singles = shapely.get_num_geometries(out) == 1
        out[singles] = shapely.get_geometry(out[singles], 0)
        untouched &= ~singles
    return out, untouched


# --- the import ------------------------------------------------------------------------


def run_import(
    kind_name: str,
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    srid: int | None = None,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    chunk_size: int = 50_000,
    progress: bool = False,
) -> ImportSummary:
    """Import one layer of a file as `kind_name`, all or nothing; return what happened.

    Raises ImportFailed, with the database untouched, on any fatal problem: unreadable file,
    unknown CRS, a missing required field, a value of the wrong type, text in an encoding
    that does not read as Vietnamese, or what the kind's merge refuses (an unknown ward code,
    a natural key given twice). Rows whose geometry is empty or cannot be repaired are
    refused and listed; repaired ones are listed too.
    """
    import pyogrio
    import pyogrio.errors

    kind = get_kind(kind_name)
    path = Path(path)
    started = time.monotonic()
    summary = ImportSummary(kind=kind.name, source=str(path))
    if encoding is not None:
        try:
            encoding = vnenc.canonical_encoding(encoding)
        except LookupError:
            raise ImportFailed(
                _("Unknown text encoding “%(encoding)s”; use utf-8, cp1258, tcvn3 or vni.")
                % {"encoding": encoding}
            ) from None

    info = _read_info(path, layer)
    layer = layer or info.get("layer_name")
    geometry_type = str(info.get("geometry_type") or "")
    accepted = _GEOMETRY_TYPES[kind.geometry]
    if geometry_type.replace(" Z", "").replace(" M", "") not in (
        *accepted,
        "Unknown",
        "GeometryCollection",
    ):
        raise ImportFailed(
            _("The layer holds %(type)s geometries; %(kind)s needs %(accepted)s.")
            % {"type": geometry_type or "no", "kind": kind.name, "accepted": " / ".join(accepted)}
        )
    file_fields = [str(name) for name in info["fields"]]
    columns = _resolve_columns(kind, file_fields, mapping or {})
    crs = _source_crs(info, srid)
    summary.source_crs = crs.to_string()
    wgs84 = CRS.from_epsg(4326)
    transformer = None
    if not crs.equals(wgs84, ignore_axis_order=True):
        transformer = Transformer.from_crs(crs, wgs84, always_xy=True)

    raw_text = _is_shapefile(info) and (
        encoding is not None or not path.with_suffix(".cpg").exists()
    )
    decoder = _TextDecoder(raw=raw_text, encoding=encoding)
    read_kwargs: dict[str, Any] = {"encoding": "latin-1"} if raw_text else {}
    wanted_columns = sorted({c for c in columns.values() if c})

    staging = "import_staging"
    specs = kind.fields
    folded = [s for s in specs if s.folded]
    staging_columns = [
        ("row_no", "int4"),
        *((s.name, _COPY_TYPES[s.type]) for s in specs),
        *((f"{s.name}_folded", "text") for s in folded),
        ("geom", "bytea"),  # WKB, which geometry's binary input reads
    ]
    total = info.get("features") if info.get("features", -1) >= 0 else None

    with transaction.atomic():
        bar = tqdm(
            total=total,
            unit=" " + _("features"),
            desc=kind.name,
            disable=not progress,
            file=sys.stderr,
            mininterval=0.5,
        )
        with ExitStack() as stack:
            cursor = stack.enter_context(connection.cursor())
            options = dict(options or {})
            direct = None
            if kind.direct is not None and kind.table and _empty_and_locked(cursor, kind.table):
                stack.enter_context(indexes_built_after(cursor, kind.table))
                direct = kind.direct(cursor, options)
                loader = _ChunkLoader(
                    connection.connection, kind.table, list(direct.columns), kind, options, True
                )
            else:
                cursor.execute(f"DROP TABLE IF EXISTS {staging}")
                cursor.execute(
                    f"CREATE TEMP TABLE {staging} (row_no integer, "
                    + ", ".join(f"{s.name} {_SQL_TYPES[s.type]}" for s in specs)
                    + "".join(f", {s.name}_folded text" for s in folded)
                    + ", geom geometry(Geometry, 4326)) ON COMMIT DROP"
                )
                # Rows arrive in row_no order: a BRIN index lets each chunk's merge read its
                # own rows instead of scanning every chunk staged before it.
                cursor.execute(f"CREATE INDEX ON {staging} USING brin (row_no)")
                loader = _ChunkLoader(
                    connection.connection, staging, staging_columns, kind, options, False
                )
            try:
                with pyogrio.open_arrow(
                    path,
                    layer=layer,
                    columns=wanted_columns,
                    batch_size=chunk_size,
                    use_pyarrow=True,
                    **read_kwargs,
                ) as (meta, reader):
                    geom_column = meta["geometry_name"] or "wkb_geometry"
                    for batch in reader:
                        first_row = summary.read + 1
                        chunk = _prepare_batch(
                            batch,
                            geom_column,
                            kind,
                            columns,
                            decoder,
                            transformer,
                            first_row,
                            summary,
                        )
                        summary.read += batch.num_rows
                        if direct is not None:
                            values = direct.values(chunk)
                        else:
                            values = [
                                chunk.rows,
                                *(chunk.values[s.name] for s in specs),
                                *(chunk.values[f"{s.name}_folded"] for s in folded),
                                chunk.wkb,
                            ]
                        loader.put(values, first_row, summary.read)
                        bar.update(batch.num_rows)
                if direct is not None:
                    summary.warnings.extend(direct.finish())
                loader.finish()
            except (
                pa.ArrowException,
                OSError,  # Arrow reports a file that ends too soon as an I/O error
                pyogrio.errors.DataSourceError,
                pyogrio.errors.DataLayerError,
            ) as exc:
                loader.abort()
                raise ImportFailed(
                    _("Cannot read %(path)s (%(error)s).") % {"path": path, "error": exc}
                ) from exc
            except BaseException:
                loader.abort()
                raise
            finally:
                bar.close()
            summary.encoding = decoder.encoding
            if direct is not None:
                summary.created = loader.created
            else:
                cursor.execute(f"ANALYZE {staging}")
                created, updated, warnings = kind.merge(cursor, staging, options)
                summary.created = loader.created + created
                summary.updated = loader.updated + updated
                summary.warnings.extend(warnings)

        from gis.models import LayerImport

        summary.seconds = time.monotonic() - started
        LayerImport.objects.create(
            kind=kind.name,
            source=str(path)[:500],
            read=summary.read,
            created=summary.created,
            updated=summary.updated,
            repaired=len(summary.repaired),
            refused=len(summary.refused),
            seconds=summary.seconds,
        )
        from gis.layers import layer_changed

        transaction.on_commit(lambda: layer_changed.send(sender=ImportSummary, kind=kind.name))
    return summary


def _empty_and_locked(cursor: Any, table: str) -> bool:
    """Whether `table` has no row, and then locked so that it stays so for this import.

    The lock (which dropping the table's indexes takes anyway) is only taken once the
    table looks empty, and the answer is checked again under it: a row committed in
    between sends the import down the merging path.
    """
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
    return cursor.fetchone()[0]


class _ChunkLoader:
    """Writes prepared chunks to the database from a second thread.

    While the main thread decodes and repairs chunk n+1 (mostly in GDAL, Arrow and GEOS,
    which release the GIL), this thread encodes chunk n for binary COPY and sends it,
    so that on a 2-core machine reading and writing overlap instead of adding up. Into a
    staging table each chunk is one COPY, which kinds that merge chunk by chunk then
    merge; a direct load is one COPY into the table for the whole file. The thread shares
    the import's connection and so its transaction; the main thread does not touch the
    connection until `finish()`.
    """

    def __init__(
        self,
        raw_connection: Any,
        table: str,
        columns: list[tuple[str, str]],
        kind: ImportKind,
        options: dict[str, Any],
        direct: bool,
    ) -> None:
        self.raw_connection = raw_connection
        names = ", ".join(name for name, _type in columns)
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
        self.types = [copy_type for _name, copy_type in columns]
        self.table = table
        self.kind = kind
        self.options = options
        self.direct = direct
        self.created = 0
        self.updated = 0
        self.error: BaseException | None = None
        self.language = translation.get_language()  # messages in the caller's language
        self.queue: queue.Queue[tuple[list[Any], int, int] | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="import-loader", daemon=True)
        self.thread.start()

    def _payload(self, values: list[Any]) -> pa.Buffer:
        return copy_rows(list(zip(values, self.types, strict=True)))

    def _run(self) -> None:
        try:
            with translation.override(self.language), self.raw_connection.cursor() as cursor:
                if self.direct:
                    with cursor.copy(self.copy_sql) as copy:
                        copy.write(_COPY_SIGNATURE)
                        while (item := self.queue.get()) is not None:
                            copy.write(memoryview(self._payload(item[0])))
                            self.created += len(item[0][0])
                        copy.write(_COPY_TRAILER)
                    return
                while (item := self.queue.get()) is not None:
                    values, first_row, last_row = item
                    with cursor.copy(self.copy_sql) as copy:
                        copy.write(_COPY_SIGNATURE)
                        copy.write(memoryview(self._payload(values)))
                        copy.write(_COPY_TRAILER)
                    if self.kind.merge_chunk is not None:
                        created, updated = self.kind.merge_chunk(
                            cursor, self.table, first_row, last_row, self.options
                        )
                        self.created += created
                        self.updated += updated
        except BaseException as exc:
            self.error = exc
            while self.queue.get() is not None:  # let the reader finish its put() calls
                pass

    def _raise_error(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, values: list[Any], first_row: int, last_row: int) -> None:
        self._raise_error()
        self.queue.put((values, first_row, last_row))

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self._raise_error()

    def abort(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


def _prepare_batch(
    batch: pa.RecordBatch,
    geom_column: str,
    kind: ImportKind,
    columns: dict[str, str | None],
    decoder: _TextDecoder,
    transformer: Transformer | None,
    first_row: int,
    summary: ImportSummary,
) -> Chunk:
    n = batch.num_rows
    values: dict[str, pa.Array] = {}
    for spec in kind.fields:
        column = columns[spec.name]
        if column is None:
            values[spec.name] = pa.nulls(n, _ARROW_TYPES[spec.type])
            if spec.folded:
                values[f"{spec.name}_folded"] = pc.fill_null(pa.nulls(n, pa.string()), "")
            continue
        array = batch.column(column)
        if spec.type == "text":
            data = decoder.decode_column(array, spec, column, first_row)
            if spec.folded:
                values[f"{spec.name}_folded"] = fold_array(data)
        elif spec.type in ("int", "float") and (
            pa.types.is_integer(array.type)
            or (spec.type == "float" and pa.types.is_floating(array.type))
        ):
            data = array.cast(_ARROW_TYPES[spec.type])  # already numbers
        else:
            data = pa.array(
                _convert(array.to_pylist(), spec, column, first_row), _ARROW_TYPES[spec.type]
            )
        if spec.type in ("int", "float"):
            _check_range(data, spec, column, first_row)
        if spec.required:
            missing = pc.is_null(data)
            if spec.type == "text":
                missing = pc.or_(missing, pc.fill_null(pc.equal(data, ""), False))
            if pc.any(missing).as_py():
                raise ImportFailed(
                    _("Field “%(field)s” (column %(column)s), row %(row)s: a value is required.")
                    % {
                        "field": spec.name,
                        "column": column,
                        "row": first_row + pc.index(missing, True).as_py(),
                    }
                )
        values[spec.name] = data

    wkb = batch.column(geom_column)
    geoms, untouched = _prepare_geometries(
        wkb.to_numpy(zero_copy_only=False), transformer, kind, first_row, summary
    )
    kept = ~shapely.is_missing(geoms)
    rewrite = kept & ~untouched
    if rewrite.any():
        rewritten = np.full(n, None, dtype=object)
        rewritten[rewrite] = shapely.to_wkb(geoms[rewrite])
        wkb = pc.if_else(pa.array(untouched), wkb, pa.array(rewritten, wkb.type))
    rows = np.arange(first_row, first_row + n, dtype=np.int32)
    if not kept.all():
        mask = pa.array(kept)
        values = {name: array.filter(mask) for name, array in values.items()}
        wkb = wkb.filter(mask)
        rows = rows[kept]
    return Chunk(rows=rows, values=values, wkb=wkb)


# --- binary COPY, encoded a column at a time -------------------------------------------

_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # header: signature, flags, extension
_COPY_TRAILER = b"\xff\xff"
_FIXED_WIDTH = {"int4": ">i4", "int8": ">i8", "float8": ">f8", "date": ">i4"}
_POSTGRES_EPOCH = 10_957  # 2000-01-01, PostgreSQL's day 0, in days since 1970-01-01
_INT_RANGE = {"int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1)}


def _fixed_size(buffer: np.ndarray, width: int, n: int) -> pa.Array:
    """n values of `width` bytes laid end to end in `buffer`, as a binary array."""
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), n, [None, pa.py_buffer(np.ascontiguousarray(buffer))]
    ).cast(pa.binary())


def _copy_fields(values: pa.Array | np.ndarray, copy_type: str) -> list[pa.Array]:
    """One column in binary COPY's field layout: each value's length (-1: NULL), its bytes."""
    n = len(values)
    if copy_type in ("text", "bytea"):
        if isinstance(values, np.ndarray):
            values = pa.array(values, pa.binary())
        lengths = pc.fill_null(pc.binary_length(values), -1).to_numpy().astype(">i4")
        data = pc.fill_null(values, "" if pa.types.is_string(values.type) else b"")
        return [_fixed_size(lengths.view(np.uint8), 4, n), data.cast(pa.binary())]
    dtype = _FIXED_WIDTH[copy_type]
    valid = None
    if isinstance(values, pa.Array):
        if values.null_count:
            valid = pc.is_valid(values).to_numpy(zero_copy_only=False)
            values = pc.fill_null(values, 0)
        if copy_type == "date":
            values = values.cast(pa.int32())
        values = values.to_numpy()
    if copy_type == "date":
        values = values.astype(np.int64) - _POSTGRES_EPOCH
    if copy_type in _INT_RANGE and len(values):
        low, high = _INT_RANGE[copy_type]
        if values.min() < low or values.max() > high:
            raise ValueError(f"a value does not fit in {copy_type}")
    width = np.dtype(dtype).itemsize
    if valid is None:  # no NULL: length and value side by side, one fixed-size field
        packed = np.empty(n, dtype=[("length", ">i4"), ("value", dtype)])
        packed["length"] = width
        packed["value"] = values
        return [_fixed_size(packed.view(np.uint8), 4 + width, n)]
    lengths = np.where(valid, width, -1).astype(">i4")
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.where(valid, width, 0), out=offsets[1:])
    data = np.ascontiguousarray(values[valid].astype(dtype))
    present = pa.BinaryArray.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return [_fixed_size(lengths.view(np.uint8), 4, n), present]


def copy_rows(columns: Sequence[tuple[pa.Array | np.ndarray, str]]) -> pa.Buffer:
    """Rows in PostgreSQL's binary COPY format (without header or trailer), from columns.

    Each column is a sequence of values and its COPY type; the rows are built by joining
    the columns' fields element-wise in Arrow, so no Python object is made per value.
    """
    n = len(columns[0][0])
    if n == 0:
        return pa.py_buffer(b"")
    parts = [_fixed_size(np.full(n, len(columns), dtype=">i2").view(np.uint8), 2, n)]
    for values, copy_type in columns:
        parts.extend(_copy_fields(values, copy_type))
    if sum(part.nbytes for part in parts) >= 2**31:  # beyond 32-bit offsets
        parts = [part.cast(pa.large_binary()) for part in parts]
    rows = pc.binary_join_element_wise(*parts, pa.scalar(b"", parts[0].type))
    offsets = np.frombuffer(
        rows.buffers()[1], dtype=np.int64 if pa.types.is_large_binary(rows.type) else np.int32
    )
    start, end = int(offsets[rows.offset]), int(offsets[rows.offset + n])
    return rows.buffers()[2].slice(start, end - start)


@contextmanager
def indexes_built_after(cursor: Any, table: str) -> Iterator[None]:
    """Load into an empty `table` with its secondary indexes and constraints dropped.

    Building an index once over a loaded table is several times faster than growing it
    row by row, which dominates the first load of a large layer (a GiST index most, but
    also a unique index whose keys arrive in no particular order); foreign keys are
    dropped and added back (one join instead of a check per row) for the same reason. The
    primary key stays, and so does a unique constraint that a foreign key relies on. The
    loader must check what the dropped constraints would have refused. Everything happens
    inside the import's transaction, so a failure restores them untouched.
    """
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = current_schema() AND i.tablename = %s
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = %s::regclass AND c.contype = 'u'
             AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                             WHERE f.contype = 'f' AND f.conindid = c.conindid)
           ORDER BY c.conname""",
        [table],
    )
    unique = cursor.fetchall()
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname""",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no table with pending checks can be altered
    for name, _definition in (*foreign_keys, *unique):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    # Pending deferred checks (here or on the tables a foreign key points to) must run
    # before a table can be altered; they are deferred again afterwards, as Django expects.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in (*unique, *foreign_keys):
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def format_summary(summary: ImportSummary, *, limit: int = 20) -> str:
    """A human summary of an import, for the command line and the admin."""
    lines = [
        _(
            "%(kind)s from %(source)s: %(read)s read, %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(repaired)s repaired, %(refused)s refused in %(seconds).1f s."
        )
        % {
            "kind": summary.kind,
            "source": summary.source,
            "read": summary.read,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "repaired": len(summary.repaired),
            "refused": len(summary.refused),
            "seconds": summary.seconds,
        }
    ]
    if summary.encoding:
        lines.append(_("Text encoding: %(encoding)s") % {"encoding": summary.encoding})
    for title, issues in ((_("Repaired"), summary.repaired), (_("Refused"), summary.refused)):
        for issue in issues[:limit]:
            lines.append(
                f"  {title}: "
                + _("row %(row)s: %(reason)s") % {"row": issue.row, "reason": issue.reason}
            )
        if len(issues) > limit:
            lines.append("  " + _("… and %(count)s more") % {"count": len(issues) - limit})
    lines.extend(f"  {warning}" for warning in summary.warnings)
    return "\n".join(lines)
