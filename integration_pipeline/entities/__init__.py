"""One declarative spec per entity sync; the factory builds the Dagster side from these."""

from integration_pipeline.entities.customer_credit import CUSTOMER_CREDIT
from integration_pipeline.entities.customers_to_erp import CUSTOMERS_TO_ERP
from integration_pipeline.entities.deal_tasks import DEAL_TASKS
from integration_pipeline.entities.invoices import INVOICES
from integration_pipeline.entities.orders import ORDER_STATUS, ORDERS
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
)
