"""The code location: loads, validates, and stays light to import."""

import subprocess
import sys

import dagster as dg

from integration_pipeline.definitions import defs


def test_definitions_are_loadable():
    dg.Definitions.validate_loadable(defs)
    main = defs.resolve_job_def("main")
    keys = {k.to_user_string() for k in main.asset_layer.asset_graph.get_all_asset_keys()}
    assert "staging/erp_customers" in keys and "erp/erp_party_party" in keys


def test_loading_imports_neither_great_expectations_nor_splink():
    """Every run, and the UI, loads the code location: the heavy libraries wait for the
    steps that use them (GX for the checks, Splink for golden customers)."""
    heavy = ["great_expectations", "splink"]
    code = (
        "import sys; import integration_pipeline.definitions; "
        f"print(*[m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
