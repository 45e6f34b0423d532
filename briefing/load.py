"""Load a validated data directory as pandas DataFrames (one per schema table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import paths
from .schema import TABLES, C, Table
from .validate import Validated, validate

_DTYPES = {"string": "object", "integer": "Int64", "number": "float64",
           "boolean": "boolean", "list": "object"}


@dataclass
class Dataset:
    """Everything a briefing needs: the article, its metadata and validated tables."""

    data_dir: Path
    article: str
    meta: dict[str, str]
    tables: dict[str, pd.DataFrame]
    checksums: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def country_names(self) -> dict[str, str]:
        df = self.tables["countries"]
        return dict(zip(df[C.COUNTRY_CODE], df[C.NAME], strict=True))


def frame(table: Table, columns: dict[str, list]) -> pd.DataFrame:
    """Typed DataFrame from validated columns, in schema order, with a clean RangeIndex.

    Strings stay ``object`` (text exactly as in the file, ``None`` for empty cells), list
    cells are tuples, dates ``datetime64``, integers nullable ``Int64``.
    """
    out = {}
    for f in table.fields:
        values = columns.get(f.name)
        if values is None:
            values = [None] * len(next(iter(columns.values()), []))
        if f.type == "date":
            out[f.name] = pd.to_datetime(pd.Series(values, dtype="object"))
        else:
            out[f.name] = pd.Series(values, dtype=_DTYPES[f.type])
    return pd.DataFrame(out)


def from_validated(v: Validated) -> Dataset:
    tables = {name: frame(TABLES[name], cols) for name, cols in v.columns.items()}
    return Dataset(data_dir=v.data_dir, article=v.article, meta=v.meta, tables=tables,
                   checksums=v.checksums, warnings=v.warnings)


def load(data_dir: Path | str = paths.DATA_DIR) -> Dataset:
    """Validate ``data_dir`` and return its tables; raises DataError listing every problem."""
    return from_validated(validate(data_dir))
