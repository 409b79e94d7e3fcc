-- Units per SKU, warehouse and day, purchases dated after {{since}} and up to {{as_of}}: the demand
-- series the forecast is fitted to. Runs unchanged on DuckDB and Athena (Trino).
select
  sku,
  coalesce(warehouse, '(none)') as warehouse,
  dt as date,
  cast(sum(quantity) as double) as units
from order_lines
where dt > {{since}}
  and dt <= {{as_of}}
  and status in ({{purchase_statuses}})
  and sku is not null
group by sku, coalesce(warehouse, '(none)'), dt
