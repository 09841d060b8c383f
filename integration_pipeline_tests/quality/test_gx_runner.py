"""Great Expectations imported ahead, on a thread, in a fresh interpreter (the test process
may have imported it already)."""

import subprocess
import sys

PROBE = """
import sys
from integration_pipeline.quality.gx_runner import import_in_background
assert "great_expectations" not in sys.modules
thread = import_in_background()
thread.join(timeout=120)
print("great_expectations" in sys.modules, thread.name, thread.daemon)
"""


def test_great_expectations_is_imported_on_a_daemon_thread():
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr[-2000:]
    imported, name, daemon = probe.stdout.split()
    assert (imported, name, daemon) == ("True", "import-great-expectations", "True")
