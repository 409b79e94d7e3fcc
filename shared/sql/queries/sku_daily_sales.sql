-- Units and net revenue (reporting currency) per SKU and day, purchases dated after {{since}} and up
-- to {{as_of}}, with the SKU's category (from the line, else the products table). Feeds ABC-XYZ
-- and the Boston matrix. Runs unchanged on DuckDB and Athena (Trino).
select
  l.sku,
  max(coalesce(l.category, p.category)) as category,
  l.dt as date,
  cast(sum(l.quantity) as double) as units,
  cast(coalesce(sum(l.net_amount_rc), 0) as double) as revenue
from order_lines l
left join (select sku, max(category) as category from products group by sku) p on p.sku = l.sku
where l.dt > {{since}}
  and l.dt <= {{as_of}}
  and l.status in ({{purchase_statuses}})
  and l.sku is not null
group by l.sku, l.dt
