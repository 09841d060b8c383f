"""The declarative description of one entity sync: what is read, how it maps, what must hold,
where it goes. One factory (`syncs/factory.py`) turns each spec into Dagster assets, checks,
a job and a schedule; adding an entity is adding a spec."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

System = Literal["crm", "erp"]


class FieldMapping(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str  # column of the staged row
    target: str  # property (CRM) or field (ERP) written
    transform: str = "text"  # a name in syncs/transforms.py
    owner: System  # the system whose value wins for this field
    # A number whose relative change is at most this is not written again: figures a model
    # recomputes (churn risk, CLV) drift a little with every change to the data.
    tolerance: float | None = None


class RowRule(BaseModel):
    """A row-level rule: a row breaking it goes to the quarantine, the others go on."""

    model_config = ConfigDict(frozen=True)

    column: str
    rule: Literal["not_null", "non_negative"]
    message: str | None = None  # what a person should read about such a row


class TargetProperty(BaseModel):
    """A custom CRM property the sync writes; created when missing."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    type: Literal["string", "number", "date", "datetime"] = "string"
    field_type: Literal["text", "number", "date"] = "text"
    unique: bool = False  # can be the id property records are upserted by


class Association(BaseModel):
    """Each written record is associated with the record whose id the staged column holds."""

    model_config = ConfigDict(frozen=True)

    to_object: str  # e.g. "companies"
    column: str


class EntitySync(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    source_system: System
    target_system: System
    target_object: str  # e.g. "products"
    upstream: tuple[tuple[str, ...], ...]  # asset keys the staging SQL reads
    staging_sql: str  # DuckDB SELECT: one row per record, with `key` and the mapped columns
    # $name parameters of the staging SQL, with their defaults; each can be set in the
    # environment as INTEGRATION_PIPELINE_<SYNC NAME>_<PARAMETER NAME> (upper case).
    parameters: dict[str, str] = Field(default_factory=dict)
    current_sql: str  # DuckDB SELECT: `key` and `properties` (JSON) of the target as extracted
    # Asset keys `current_sql` reads, so the plan runs again when the target changed; for a
    # CRM target it is the object's extract unless given.
    current_upstream: tuple[tuple[str, ...], ...] = ()
    # The target's unique property holding `key` (records are upserted by it); None: `key` is
    # the target record's own id (records are updated, never created).
    id_property: str | None
    fields: tuple[FieldMapping, ...]
    # A record is written once; after that the target owns it (a sale made from a deal).
    write_once: bool = False
    # The staged rows are records to archive (CRM) or deactivate (ERP) in the target, keyed
    # like `current_sql`, which lists the target's live records only. The staged columns
    # name the event (e.g. when the source archived it): a later event is a new write.
    archives: bool = False
    erp_writer: str | None = None  # for ERP targets: the writer in syncs/apply_erp.py
    row_rules: tuple[RowRule, ...] = ()
    max_bad_share: float = 0.05  # more bad rows than this blocks the whole sync
    target_properties: tuple[TargetProperty, ...] = ()
    associations: tuple[Association, ...] = ()  # CRM targets only
    schedule: str = "*/15 * * * *"
    # The target's copy must not be older than this (a freshness policy on the apply stage).
    fresh_within_minutes: int | None = None
    group: str  # the UI group the assets appear in

    @model_validator(mode="after")
    def _target_reads_named(self) -> "EntitySync":
        if self.target_system == "erp" and not self.current_upstream:
            raise ValueError(f"{self.name}: name the ERP tables current_sql reads")
        return self

    @property
    def target_reads(self) -> tuple[tuple[str, ...], ...]:
        """The asset keys of the target as extracted (what `current_sql` reads)."""
        return self.current_upstream or (("crm", self.target_object),)


def parameter_values(spec: EntitySync, environ: dict[str, str]) -> dict[str, str]:
    return {
        name: environ.get(f"INTEGRATION_PIPELINE_{spec.name}_{name}".upper(), default)
        for name, default in spec.parameters.items()
    }
