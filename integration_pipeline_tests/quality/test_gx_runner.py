"""GX suites run in a worker process: real Great Expectations, its verdicts and counts come
back, and the pipeline's own process never imports it."""

import subprocess
import sys

import pandas as pd

from integration_pipeline.quality.gx_runner import run_suite


def test_a_suite_reports_what_broke_and_where():
    frame = pd.DataFrame({"key": ["a", "b", "b", None]})
    outcomes = run_suite(
        frame,
        "keys",
        [
            ("ExpectColumnValuesToNotBeNull", {"column": "key"}),
            ("ExpectColumnValuesToBeUnique", {"column": "key"}),
        ],
    )
    by_type = {o.expectation: o for o in outcomes}
    assert by_type["expect_column_values_to_not_be_null"].unexpected_count == 1
    unique = by_type["expect_column_values_to_be_unique"]
    assert not unique.success and unique.unexpected_count == 2 and unique.sample == ["b", "b"]
    passing = run_suite(
        frame.dropna().drop_duplicates(),
        "keys",
        [("ExpectColumnValuesToBeUnique", {"column": "key"})],
    )
    assert [o.success for o in passing] == [True]


def test_the_pipeline_process_does_not_import_great_expectations():
    code = (
        "import sys, pandas as pd\n"
        "from integration_pipeline.quality.gx_runner import run_suite, start_worker\n"
        "start_worker()\n"
        "(outcome,) = run_suite(pd.DataFrame({'k': [1, 2]}), 's', "
        "[('ExpectColumnValuesToBeUnique', {'column': 'k'})])\n"
        "print(outcome.success, 'great_expectations' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
