"""What the CRM sandbox knows about HubSpot's object types, properties and associations."""

OBJECT_TYPES = ("contacts", "companies", "deals", "products", "line_items", "invoices", "tasks")

# Object type ids, as HubSpot also accepts them in place of names.
TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-7": "products",
    "0-8": "line_items",
    "0-53": "invoices",
    "0-27": "tasks",
}

LAST_MODIFIED = {"contacts": "lastmodifieddate"}  # the others use hs_lastmodifieddate


def last_modified_property(object_type: str) -> str:
    return LAST_MODIFIED.get(object_type, "hs_lastmodifieddate")


_COMMON = ["hs_object_id", "createdate", "hubspot_owner_id"]
DEFAULT_PROPERTIES: dict[str, list[str]] = {
    "contacts": [
        *_COMMON,
        "lastmodifieddate",
        "firstname",
        "lastname",
        "email",
        "phone",
        "mobilephone",
        "address",
        "city",
        "zip",
        "country",
        "company",
        "lifecyclestage",
        "date_of_birth",
        "jobtitle",
    ],
    "companies": [
        *_COMMON,
        "hs_lastmodifieddate",
        "name",
        "domain",
        "phone",
        "address",
        "city",
        "zip",
        "country",
        "lifecyclestage",
        "industry",
        "description",
    ],
    "deals": [
        *_COMMON,
        "hs_lastmodifieddate",
        "dealname",
        "dealstage",
        "pipeline",
        "amount",
        "closedate",
        "hs_deal_stage_probability",
        "deal_currency_code",
        "description",
    ],
    "products": [
        *_COMMON,
        "hs_lastmodifieddate",
        "name",
        "hs_sku",
        "price",
        "description",
        "hs_cost_of_goods_sold",
    ],
    "line_items": [
        *_COMMON,
        "hs_lastmodifieddate",
        "name",
        "hs_product_id",
        "hs_sku",
        "quantity",
        "price",
        "amount",
        "description",
    ],
    "invoices": [
        *_COMMON,
        "hs_lastmodifieddate",
        "hs_number",
        "hs_currency",
        "hs_amount_billed",
        "hs_balance_due",
        "hs_invoice_status",
        "hs_due_date",
        "hs_invoice_date",
    ],
    "tasks": [
        *_COMMON,
        "hs_lastmodifieddate",
        "hs_task_subject",
        "hs_task_body",
        "hs_task_status",
        "hs_task_priority",
        "hs_timestamp",
    ],
}
# Properties whose values must be unique (usable as idProperty in upserts).
UNIQUE_PROPERTIES = {"contacts": {"email"}, "products": {"hs_sku"}}
# Properties the server keeps; a client may not write them.
READ_ONLY = {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"}
DATETIME_PROPERTIES = {
    "createdate",
    "lastmodifieddate",
    "hs_lastmodifieddate",
    "closedate",
    "hs_timestamp",
}
NUMBER_PROPERTIES = {
    "amount",
    "price",
    "quantity",
    "hs_deal_stage_probability",
    "hs_cost_of_goods_sold",
    "hs_amount_billed",
    "hs_balance_due",
}

# HUBSPOT_DEFINED association type ids: (from, to) -> (default type id, label).
DEFAULT_ASSOCIATIONS = {
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
    ("deals", "companies"): 341,
    ("companies", "deals"): 342,
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "line_items"): 19,
    ("line_items", "deals"): 20,
    ("tasks", "deals"): 216,
    ("deals", "tasks"): 215,
    ("invoices", "companies"): 179,
    ("companies", "invoices"): 180,
    ("invoices", "deals"): 175,
    ("deals", "invoices"): 176,
    ("invoices", "contacts"): 177,
    ("contacts", "invoices"): 178,
    ("invoices", "line_items"): 409,
    ("line_items", "invoices"): 410,
}
PRIMARY_ASSOCIATIONS = {
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
}

SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "products": "product",
    "line_items": "line_item",
    "invoices": "invoice",
    "tasks": "task",
}
