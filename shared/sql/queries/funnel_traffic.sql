-- Traffic funnel counts per day, channel and SKU from {{since}} to {{as_of}}: the latest export of
-- each (source, day, SKU, channel) row, summed over sources. A step a source does not measure
-- stays null (Amazon's Business Report has no impressions or add-to-cart).
-- Runs unchanged on DuckDB and Athena (Trino).
with latest as (
  select t.*,
    row_number() over (
      partition by source, dt, sku, channel
      order by exported_at desc, batch_id desc
    ) as version_rank
  from traffic t
  where dt > {{since}} and dt <= {{as_of}}
)
select
  dt as date,
  coalesce(channel, '(none)') as channel,
  sku,
  cast(sum(impressions) as double) as impressions,
  cast(sum(visits) as double) as visits,
  cast(sum(add_to_cart) as double) as add_to_cart,
  cast(sum(orders) as double) as orders,
  cast(sum(paid_orders) as double) as paid_orders
from latest
where version_rank = 1
group by dt, coalesce(channel, '(none)'), sku
