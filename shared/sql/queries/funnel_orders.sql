-- Order funnel counts per day and channel from {{since}} to {{as_of}}: orders created, paid,
-- shipped and completed, and the leakage to cancellation and refund. An order counts at a step
-- when any of its lines reached it; it is cancelled when every line is.
-- Runs unchanged on DuckDB and Athena (Trino).
with orders as (
  select
    source,
    order_id,
    min(dt) as date,
    coalesce(max(channel), '(none)') as channel,
    max(case when paid_ts is not null or status in ('paid', 'shipped', 'completed', 'refunded', 'partially_refunded') then 1 else 0 end) as paid,
    max(case when status in ('shipped', 'completed', 'partially_refunded') then 1 else 0 end) as shipped,
    max(case when status = 'completed' then 1 else 0 end) as completed,
    min(case when status = 'cancelled' then 1 else 0 end) as cancelled,
    max(case when status in ('refunded', 'partially_refunded') then 1 else 0 end) as refunded
  from order_lines
  where dt > {{since}} and dt <= {{as_of}}
  group by source, order_id
)
select
  date,
  channel,
  cast(count(*) as double) as created,
  cast(sum(paid) as double) as paid,
  cast(sum(shipped) as double) as shipped,
  cast(sum(completed) as double) as completed,
  cast(sum(cancelled) as double) as cancelled,
  cast(sum(refunded) as double) as refunded
from orders
group by date, channel
