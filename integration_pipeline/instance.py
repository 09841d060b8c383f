"""The Dagster instance the CLI runs jobs in: project-local by default, so runs made by
`integration-pipeline demo` show in `dagster dev` afterwards."""

import os
from pathlib import Path

PROJECT_DAGSTER_YAML = Path(__file__).resolve().parent.parent / "dagster.yaml"
# Installed without the source tree: telemetry off and the pooled event log all the same.
FALLBACK_YAML = """telemetry:
  enabled: false
event_log_storage:
  module: integration_pipeline.orchestration.event_log
  class: PooledSqliteEventLogStorage
"""


def instance_yaml() -> str:
    """The dagster.yaml of this project's instance (for a Dagster home made elsewhere: the
    benches, the UI test)."""
    if PROJECT_DAGSTER_YAML.exists():
        return PROJECT_DAGSTER_YAML.read_text(encoding="utf-8")
    return FALLBACK_YAML


def dagster_home() -> Path:
    """$DAGSTER_HOME, or ./.dagster holding (a link to) the project's dagster.yaml."""
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"])
    home = (Path.cwd() / ".dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() and not config.is_symlink():
        if PROJECT_DAGSTER_YAML.exists():
            config.symlink_to(PROJECT_DAGSTER_YAML)
        else:
            config.write_text(FALLBACK_YAML, encoding="utf-8")
    return home
