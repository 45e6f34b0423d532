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
        return dict(zip(df[C.COUNTRY_CODE], df[C.NAME]))


def to_frame(table: Table, rows: list[dict]) -> pd.DataFrame:
    """Typed DataFrame with the schema's columns in schema order, a clean RangeIndex."""
    columns = {}
    for f in table.fields:
        values = [r.get(f.name) for r in rows]
        if f.type == "date":
            columns[f.name] = pd.to_datetime(pd.Series(values, dtype="object"))
        else:
            columns[f.name] = pd.Series(values, dtype=_DTYPES[f.type])
    return pd.DataFrame(columns)


def from_validated(v: Validated) -> Dataset:
    tables = {name: to_frame(TABLES[name], rows) for name, rows in v.rows.items()}
    return Dataset(data_dir=v.data_dir, article=v.article, meta=v.meta, tables=tables,
                   checksums=v.checksums, warnings=v.warnings)


def load(data_dir: Path | str = paths.DATA_DIR) -> Dataset:
    """Validate ``data_dir`` and return its tables; raises DataError listing every problem."""
    return from_validated(validate(data_dir))
