"""The Tryton tables the pipeline reads, the module each comes from, and the columns it
relies on (the rest of each table is copied too, but these must exist)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErpTable:
    name: str
    entity: str
    module: str
    columns: tuple[str, ...] = ()


_AUDIT = ("id", "create_date", "write_date")

ERP_TABLES: tuple[ErpTable, ...] = (
    ErpTable("party_party", "customers", "party", ("code", "name", "active", "replaced_by")),
    ErpTable(
        "party_address",
        "customers",
        "party",
        ("party", "street_unstructured", "city", "postal_code", "country", "active", "sequence"),
    ),
    ErpTable(
        "party_contact_mechanism",
        "customers",
        "party",
        ("party", "type", "value", "active", "sequence"),
    ),
    ErpTable("party_identifier", "customers", "party", ("party", "type", "code", "sequence")),
    ErpTable(
        "party_party_credit_limit_amount",
        "customers",
        "account_credit_limit",
        ("party", "company", "credit_limit_amount"),
    ),
    ErpTable("country_country", "customers", "country", ("code", "name")),
    ErpTable("company_company", "customers", "company", ("party", "currency")),
    ErpTable("company_employee", "customers", "company", ("party", "company")),
    ErpTable(
        "product_template",
        "products",
        "product",
        ("name", "code", "type", "salable", "default_uom"),
    ),
    ErpTable("product_product", "products", "product", ("template", "code", "active")),
    ErpTable("product_list_price", "products", "product", ("template", "company", "list_price")),
    ErpTable("product_cost_price", "products", "product", ("product", "company", "cost_price")),
    ErpTable(
        "stock_location",
        "stock",
        "stock",
        ("code", "type", "parent", "left", "right", "storage_location"),
    ),
    ErpTable(
        "stock_move",
        "stock",
        "stock",
        (
            "product",
            "from_location",
            "to_location",
            "internal_quantity",
            "state",
            "effective_date",
            "planned_date",
            "shipment",
            "origin",
        ),
    ),
    ErpTable(
        "stock_shipment_out",
        "stock",
        "stock",
        ("number", "customer", "state", "effective_date", "planned_date", "warehouse"),
    ),
    ErpTable(
        "stock_forecast",
        "stock",
        "stock_forecast",
        ("warehouse", "destination", "from_date", "to_date", "state"),
    ),
    ErpTable(
        "sale_sale",
        "sales",
        "sale",
        (
            "number",
            "reference",
            "party",
            "state",
            "invoice_state",
            "shipment_state",
            "sale_date",
            "total_amount_cache",
        ),
    ),
    ErpTable(
        "sale_line", "sales", "sale", ("sale", "type", "product", "quantity", "unit", "unit_price")
    ),
    ErpTable(
        "sale_opportunity",
        "sales",
        "sale_opportunity",
        ("party", "amount", "conversion_probability", "state", "start_date", "end_date"),
    ),
    ErpTable(
        "account_invoice",
        "invoices",
        "account_invoice",
        ("type", "number", "state", "party", "invoice_date", "total_amount_cache", "move"),
    ),
    ErpTable(
        "account_invoice_line",
        "invoices",
        "account_invoice",
        ("invoice", "type", "product", "quantity", "unit_price", "origin"),
    ),
    ErpTable("account_account", "accounting", "account", ("type", "company")),
    ErpTable("account_account_type", "accounting", "account", ("receivable", "payable")),
    ErpTable("account_move", "accounting", "account", ("date", "state", "origin")),
    ErpTable(
        "account_move_line",
        "accounting",
        "account",
        ("move", "account", "party", "debit", "credit", "maturity_date", "reconciliation"),
    ),
    ErpTable("account_move_reconciliation", "accounting", "account", ("date",)),
)

REQUIRED_MODULES = tuple(sorted({t.module for t in ERP_TABLES}))


def table(name: str) -> ErpTable:
    return next(t for t in ERP_TABLES if t.name == name)


def required_columns(erp_table: ErpTable) -> tuple[str, ...]:
    return (*_AUDIT, *erp_table.columns)


def tables_of(entity: str) -> tuple[str, ...]:
    return tuple(t.name for t in ERP_TABLES if t.entity == entity)
