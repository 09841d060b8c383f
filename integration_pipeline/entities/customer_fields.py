"""customer_fields: customer master data kept the same in both systems. The comparison
(assets/customer_fields.py) decides per field which side changed since the last sync; these
two specs send its decisions through the outbox like every other write."""

from integration_pipeline.entities.spec import EntitySync, FieldMapping

_DECIDED = ("sync", "customer_fields", "compare")

CUSTOMER_FIELDS_TO_ERP = EntitySync(
    name="customer_fields_to_erp",
    description="Customer fields changed in the CRM (or won there in a conflict) onto the ERP "
    "party.",
    source_system="crm",
    target_system="erp",
    target_object="party",
    upstream=(_DECIDED,),
    staging_sql="SELECT key, name FROM sync.customer_fields_to_erp_decided",
    # With the party's last change: a name written again after someone changed it back is
    # a new write (syncs/planning.py).
    current_sql="SELECT code AS key, json_object('name', name, 'write_date', write_date) "
    "AS properties FROM erp.party_party",
    current_upstream=(("erp", "erp_party_party"),),
    id_property=None,
    erp_writer="party_fields",
    fields=(FieldMapping(source="name", target="name", owner="crm"),),
    group="customers",
)

CUSTOMER_FIELDS_TO_CRM = EntitySync(
    name="customer_fields_to_crm",
    description="Customer fields changed in the ERP onto the CRM company.",
    source_system="erp",
    target_system="crm",
    target_object="companies",
    upstream=(_DECIDED,),
    staging_sql="SELECT key, name FROM sync.customer_fields_to_crm_decided",
    current_sql="SELECT CAST(id AS VARCHAR) AS key, properties FROM crm.companies",
    id_property=None,
    fields=(FieldMapping(source="name", target="name", owner="crm"),),
    group="customers",
)
