-- Orders per platform, channel and country in the current window (after {{since}}, up to {{as_of}})
-- and the one before (after {{previous_since}}): net revenue, whether refunded or cancelled, and the
-- cost of the lines whose unit cost is known. Runs unchanged on DuckDB and Athena (Trino).
with costs as (
  select sku, max(unit_cost) as unit_cost from products group by sku
)
select
  l.source,
  coalesce(l.channel, '(none)') as channel,
  coalesce(l.country, '(none)') as country,
  case when l.dt > {{since}} then 'current' else 'previous' end as period,
  l.order_id,
  max(case when l.status in ({{purchase_statuses}}) then 1 else 0 end) as purchased,
  min(case when l.status = 'cancelled' then 1 else 0 end) as cancelled,
  max(case when l.status in ('refunded', 'partially_refunded') then 1 else 0 end) as refunded,
  cast(coalesce(sum(case when l.status in ({{purchase_statuses}}) then l.net_amount_rc end), 0) as double) as revenue,
  cast(sum(case when l.status in ({{purchase_statuses}}) and c.unit_cost is not null then l.net_amount_rc end) as double) as costed_revenue,
  cast(sum(case when l.status in ({{purchase_statuses}}) then c.unit_cost * l.quantity end) as double) as cost
from order_lines l
left join costs c on c.sku = l.sku
where l.dt > {{previous_since}} and l.dt <= {{as_of}}
group by l.source, coalesce(l.channel, '(none)'), coalesce(l.country, '(none)'),
  case when l.dt > {{since}} then 'current' else 'previous' end, l.order_id
