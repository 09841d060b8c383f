"""deal_tasks: when the ERP holds an order back (credit limit, stock), a task for the deal's
owner, on the deal, saying why; when the hold clears, the task is marked completed."""

from integration_pipeline.entities.spec import (
    Association,
    EntitySync,
    FieldMapping,
    TargetProperty,
)

DEAL_TASKS = EntitySync(
    name="deal_tasks",
    description="A high-priority task for the owner of each deal whose ERP sale waits (credit "
    "limit or stock), with the ERP's reason; completed once the sale goes through.",
    source_system="erp",
    target_system="crm",
    target_object="tasks",
    upstream=(("sync", "orders", "apply"), ("crm", "deals"), ("crm", "tasks")),
    staging_sql="""
        WITH holds AS (  -- the orders sync's latest answer for each deal it holds
            SELECT record_key AS deal, result ->> 'status' AS hold, message
            FROM sync.outbox WHERE entity = 'orders' AND status = 'held'
        ),
        made AS (  -- the tasks this sync made before
            SELECT properties ->> 'erp_hold_key' AS key, properties
            FROM crm.tasks
            WHERE NOT archived AND properties ->> 'erp_hold_key' IS NOT NULL
        )
        SELECT h.deal || ':' || h.hold AS key, h.deal AS deal_id,
               'ERP order on hold (' || replace(h.hold, 'on_hold_', '') || '): '
                   || coalesce(d.properties ->> 'dealname', h.deal) AS subject,
               h.message AS body, 'NOT_STARTED' AS status, 'HIGH' AS priority,
               d.properties ->> 'hubspot_owner_id' AS owner,
               d.properties ->> 'closedate' AS due
        FROM holds h
        JOIN crm.deals d ON CAST(d.id AS VARCHAR) = h.deal
        UNION ALL
        SELECT m.key, split_part(m.key, ':', 1), m.properties ->> 'hs_task_subject',
               m.properties ->> 'hs_task_body', 'COMPLETED',
               m.properties ->> 'hs_task_priority', m.properties ->> 'hubspot_owner_id',
               m.properties ->> 'hs_timestamp'
        FROM made m
        WHERE m.key NOT IN (SELECT deal || ':' || hold FROM holds)
    """,
    current_sql="""
        SELECT properties ->> 'erp_hold_key' AS key, properties
        FROM crm.tasks WHERE NOT archived
    """,
    id_property="erp_hold_key",
    fields=(
        FieldMapping(source="subject", target="hs_task_subject", owner="erp"),
        FieldMapping(source="body", target="hs_task_body", owner="erp"),
        FieldMapping(source="status", target="hs_task_status", owner="erp"),
        FieldMapping(source="priority", target="hs_task_priority", owner="erp"),
        FieldMapping(source="owner", target="hubspot_owner_id", owner="crm"),
        FieldMapping(source="due", target="hs_timestamp", owner="crm"),
    ),
    target_properties=(
        TargetProperty(name="erp_hold_key", label="ERP hold (deal:reason)", unique=True),
    ),
    associations=(Association(to_object="deals", column="deal_id"),),
    group="orders",
)
