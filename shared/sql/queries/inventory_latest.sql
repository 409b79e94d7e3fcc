-- The latest inventory snapshot of each SKU and warehouse taken on or before {{as_of}}, summed over
-- sources when two report the same warehouse. Runs unchanged on DuckDB and Athena (Trino).
with ranked as (
  select i.*,
    row_number() over (
      partition by source, sku, coalesce(warehouse, '(none)')
      order by snapshot_ts desc, batch_id desc
    ) as version_rank
  from inventory i
  where dt <= {{as_of}}
    -- Where committed snapshots lie (the commit records): Athena lists those days and sources only.
    and dt >= {{first_day}}
    and source in ({{sources}})
)
select
  sku,
  coalesce(warehouse, '(none)') as warehouse,
  max(dt) as snapshot_date,
  cast(sum(on_hand) as double) as on_hand,
  cast(coalesce(sum(inbound), 0) as double) as inbound,
  cast(coalesce(sum(reserved), 0) as double) as reserved
from ranked
where version_rank = 1
group by sku, coalesce(warehouse, '(none)')
