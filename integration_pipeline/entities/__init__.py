"""One declarative spec per entity sync; the factory builds the Dagster side from these."""

from integration_pipeline.entities.customer_archives import (
    CUSTOMER_ARCHIVES_TO_ERP,
    CUSTOMER_DEACTIVATIONS_TO_CRM,
)
from integration_pipeline.entities.customer_credit import CUSTOMER_CREDIT
from integration_pipeline.entities.customer_fields import (
    CUSTOMER_FIELDS_TO_CRM,
    CUSTOMER_FIELDS_TO_ERP,
)
from integration_pipeline.entities.customer_insights import CUSTOMER_INSIGHTS
from integration_pipeline.entities.customers_to_erp import CUSTOMERS_TO_ERP
from integration_pipeline.entities.deal_tasks import DEAL_TASKS
from integration_pipeline.entities.invoices import INVOICES
from integration_pipeline.entities.orders import ORDER_STATUS, ORDERS
from integration_pipeline.entities.restock import RESTOCK
from integration_pipeline.entities.spec import EntitySync
from integration_pipeline.entities.stock import STOCK

ENTITY_SYNCS: tuple[EntitySync, ...] = (
    STOCK,
    CUSTOMER_CREDIT,
    CUSTOMERS_TO_ERP,
    ORDERS,
    ORDER_STATUS,
    DEAL_TASKS,
    INVOICES,
    CUSTOMER_INSIGHTS,
    RESTOCK,
    CUSTOMER_ARCHIVES_TO_ERP,
    *CUSTOMER_DEACTIVATIONS_TO_CRM,
    CUSTOMER_FIELDS_TO_ERP,
    CUSTOMER_FIELDS_TO_CRM,
)


def crm_properties_written(object_type: str) -> list[str]:
    """The properties of a CRM object type that the syncs write: extracted too, so that each
    sync sees what the CRM holds now (and an entity added by a spec is extracted by it)."""
    names: list[str] = []
    for spec in ENTITY_SYNCS:
        if spec.target_system == "crm" and spec.target_object == object_type:
            candidates = [spec.id_property, *(f.target for f in spec.fields)]
            names += [n for n in candidates if n and n not in names]
    return names
