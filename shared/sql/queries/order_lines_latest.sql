-- The order_lines view: the latest exported version of each order line.
-- The same line arrives again when a later export carries a new status (paid -> refunded);
-- the export time decides, then the ingest time, then the batch id (so the answer is deterministic).
-- Runs unchanged on DuckDB and Athena (Trino); {{columns}} is the schema's column list.
select {{columns}}
from (
  select
    v.*,
    row_number() over (
      partition by source, order_id, line_id
      order by exported_at desc, ingested_at desc, batch_id desc
    ) as version_rank
  from order_lines_versions v
) ranked
where version_rank = 1
