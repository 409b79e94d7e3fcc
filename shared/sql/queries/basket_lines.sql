-- Order baskets for association rules: the SKUs (and categories) of each purchased order placed
-- after {{since}} and up to {{as_of}} (shop-time-zone order dates). A line without a category takes
-- its product's category from the products table. Lines without a SKU are left out.
-- Runs unchanged on DuckDB and Athena (Trino).
select
  l.source || ':' || l.order_id as basket,
  l.sku,
  coalesce(l.category, p.category) as category
from order_lines l
left join (
  select sku, max(category) as category from products group by sku
) p on p.sku = l.sku
where l.dt > {{since}}
  and l.dt <= {{as_of}}
  and l.status in ({{purchase_statuses}})
  and l.sku is not null
