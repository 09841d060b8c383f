"""Where the sandbox keeps its files and how to reach its servers.

Every setting has a default that works on a fresh machine and an environment variable to
change it; the CLI's flags override both.
"""

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from integration_pipeline.sandbox.demo.records import DEFAULT_ORDERS_PER_YEAR

DEFAULT_DATABASE = "integration_demo"
DEFAULT_CUSTOMERS = 50
# Above this scale `seeding="auto"` writes the sales as rows (bulk_seed.py) instead of
# through Tryton's business methods, which cost ~0.36 s a sale.
BULK_SEEDING_ABOVE = 200
SEEDING_MODES = ("auto", "orm", "bulk")


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def default_data_dir() -> Path:
    return _env_path("INTEGRATION_PIPELINE_DATA", Path.cwd() / ".data").resolve()


def default_cache_dir() -> Path:
    xdg = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return _env_path("INTEGRATION_PIPELINE_CACHE", xdg / "integration-pipeline").resolve()


def default_as_of() -> date:
    # The first of the month keeps a built demo (and its cached template) valid all month.
    return date.today().replace(day=1)


@dataclass(frozen=True)
class SandboxSettings:
    data_dir: Path = field(default_factory=default_data_dir)
    cache_dir: Path = field(default_factory=default_cache_dir)
    erp_port: int = field(
        default_factory=lambda: int(os.environ.get("INTEGRATION_PIPELINE_ERP_PORT", "8000"))
    )
    crm_port: int = field(
        default_factory=lambda: int(os.environ.get("INTEGRATION_PIPELINE_CRM_PORT", "8090"))
    )
    database: str = DEFAULT_DATABASE
    # None: SQLite in the data folder. Otherwise a server URL such as
    # postgresql://root@127.0.0.1:5432 (no database name: Tryton names its own).
    postgres_url: str | None = field(
        default_factory=lambda: os.environ.get("INTEGRATION_PIPELINE_POSTGRES_URL") or None
    )
    customers: int = DEFAULT_CUSTOMERS
    seed: int = 42
    as_of: date = field(default_factory=default_as_of)
    seeding: str = "auto"  # one of SEEDING_MODES
    orders_per_year: float = DEFAULT_ORDERS_PER_YEAR  # the median customer's pace (DemoConfig)
    erp_user: str = "admin"
    # The sandbox's own throw-away credential; production passwords come from the environment.
    erp_password: str = field(
        default_factory=lambda: os.environ.get("INTEGRATION_PIPELINE_ERP_PASSWORD", "admin")
    )

    @property
    def bulk_seeding(self) -> bool:
        if self.seeding not in SEEDING_MODES:
            raise ValueError(f"seeding must be one of {SEEDING_MODES}, not {self.seeding!r}")
        if self.seeding == "auto":
            return self.customers > BULK_SEEDING_ABOVE
        return self.seeding == "bulk"

    @property
    def erp_dir(self) -> Path:
        return self.data_dir / "erp"

    @property
    def crm_url(self) -> str:
        # HubSpot's SDK and the connector take this as the host (no trailing slash).
        return f"http://127.0.0.1:{self.crm_port}"

    @property
    def crm_dir(self) -> Path:
        return self.data_dir / "crm"

    @property
    def demo_dir(self) -> Path:
        return self.data_dir / "demo"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "sandbox.json"

    @property
    def backend(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"
