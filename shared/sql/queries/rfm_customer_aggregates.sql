-- Per-customer purchase aggregates for RFM, as of {{as_of}} (shop-time-zone order date, inclusive).
-- A purchase is an order with at least one line paid and neither cancelled nor fully refunded;
-- monetary is net of discounts and refunds, in the reporting currency.
-- Orders from exports without a buyer (customer_id null) are left out.
-- Runs unchanged on DuckDB and Athena (Trino); no ORDER BY, since Athena runs it inside UNLOAD
-- (the model sorts its input itself).
with purchase_lines as (
  select customer_id, source, order_id, dt, net_amount_rc
  from order_lines
  where dt <= {{as_of}}
    and customer_id is not null
    and status in ({{purchase_statuses}})
),
purchases as (
  select
    customer_id,
    source,
    order_id,
    min(dt) as order_date,
    sum(net_amount_rc) as order_net,
    sum(case when net_amount_rc is null then 1 else 0 end) as lines_without_rate
  from purchase_lines
  group by customer_id, source, order_id
)
select
  customer_id,
  min(order_date) as first_order_date,
  max(order_date) as last_order_date,
  cast(count(*) as integer) as frequency,
  cast(coalesce(sum(order_net), 0) as double) as monetary,
  cast(sum(lines_without_rate) as integer) as lines_without_rate
from purchases
group by customer_id
