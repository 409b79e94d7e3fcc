-- Per-customer transaction history for the BG/NBD and Gamma-Gamma models, as of {{as_of}}.
-- Conventions that reproduce the published CDNOW fits: purchases on the same day are one
-- transaction; x counts the transactions after the first; the spend of a customer is the mean value
-- of those repeat transactions (the first excluded). Purchases as in rfm_customer_aggregates.sql.
-- Runs unchanged on DuckDB and Athena (Trino).
with days as (
  select customer_id, dt, sum(net_amount_rc) as day_value
  from order_lines
  where dt <= {{as_of}}
    and customer_id is not null
    and status in ({{purchase_statuses}})
  group by customer_id, dt
),
numbered as (
  select customer_id, dt, day_value, row_number() over (partition by customer_id order by dt) as n
  from days
)
select
  customer_id,
  min(dt) as first_order_date,
  max(dt) as last_order_date,
  cast(count(*) - 1 as integer) as x,
  cast(coalesce(avg(case when n > 1 then day_value end), 0) as double) as repeat_mean_value
from numbered
group by customer_id
