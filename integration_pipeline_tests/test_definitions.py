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


def test_loading_does_not_import_great_expectations():
    code = (
        "import sys, time; t = time.monotonic(); import integration_pipeline.definitions; "
        "print(time.monotonic() - t, 'great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    _seconds, imported = out.stdout.split()
    assert imported == "False"
