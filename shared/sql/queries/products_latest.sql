-- Product master data, the latest export of each SKU. Runs unchanged on DuckDB and Athena (Trino).
with ranked as (
  select p.*,
    row_number() over (partition by sku order by exported_at desc, batch_id desc) as version_rank
  from products p
)
select sku, name, category, unit_cost, lead_time_days, shelf_life_days
from ranked
where version_rank = 1
