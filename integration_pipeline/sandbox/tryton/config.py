"""trytond's configuration file and the database locations derived from the settings."""

from pathlib import Path
from urllib.parse import urlsplit

from integration_pipeline.sandbox.settings import SandboxSettings

MODULES = (
    "sale_opportunity",
    "sale_credit_limit",
    "account_credit_limit",
    "account_invoice_stock",
    "stock_forecast",
    "stock_supply",
    "stock_supply_forecast",
    "purchase_request",
    "production",
    "stock_supply_production",
)


def server_url(postgres_url: str) -> str:
    """postgresql://user@host:port as trytond wants it: no database, trailing slash."""
    parts = urlsplit(postgres_url)
    return f"{parts.scheme}://{parts.netloc}/"


def write_config(path: Path, db_folder: Path, settings: SandboxSettings) -> Path:
    if settings.postgres_url:
        database = f"uri = {server_url(settings.postgres_url)}\n"
    else:
        database = f"uri = sqlite://\npath = {db_folder}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[database]\n"
        f"{database}"
        "[web]\n"
        f"listen = 127.0.0.1:{settings.erp_port}\n"
        "[session]\n"
        # A long-running sync keeps one session; Tryton's default expires it after 30 min idle.
        "timeout = 86400\n",
        encoding="utf-8",
    )
    return path


def sqlalchemy_url(settings: SandboxSettings, database: str) -> str:
    if settings.postgres_url:
        parts = urlsplit(settings.postgres_url)
        return f"postgresql+psycopg://{parts.netloc}/{database}"
    return f"sqlite:///{settings.erp_dir / 'db' / f'{database}.sqlite'}"
