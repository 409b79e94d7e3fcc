-- Purchases, as of {{as_of}}, from exports that carry no buyer identifier (Amazon, Pinduoduo,
-- Douyin): counted per source so the customer models can say what they leave out.
-- Runs unchanged on DuckDB and Athena (Trino).
select
  source,
  cast(count(distinct order_id) as integer) as orders,
  cast(count(*) as integer) as lines
from order_lines
where dt <= {{as_of}}
  and customer_id is null
  and status in ({{purchase_statuses}})
group by source
