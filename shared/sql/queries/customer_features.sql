-- Per-customer features for AIPL / FAST / GROW as of {{as_of}}, with the window starts given as
-- dates: {{d30}} (as_of - 30 days), {{d60}} (as_of - 60 days), {{d365}} (as_of - 365 days); a
-- window is (start, end]. Purchases as in rfm_customer_aggregates.sql; `orders` counts every order,
-- paid or not. Runs unchanged on DuckDB and Athena (Trino).
-- Purchase days are aggregated first (one row per customer and day), so the window counts are
-- plain counts of days rather than a distinct count per window over every line.
with lines as (
  select customer_id, order_id, dt, status, category, net_amount_rc
  from order_lines
  where dt <= {{as_of}} and customer_id is not null
),
all_orders as (
  select customer_id, count(distinct order_id) as orders
  from lines
  group by customer_id
),
purchase_days as (
  select customer_id, dt, sum(net_amount_rc) as spend
  from lines
  where status in ({{purchase_statuses}})
  group by customer_id, dt
),
per_customer as (
  select
    customer_id,
    min(dt) as first_purchase_dt,
    count(*) as purchase_days,
    count(case when dt > {{d365}} then 1 end) as purchase_days_365,
    count(case when dt > {{d30}} then 1 end) as purchase_days_30,
    count(case when dt > {{d60}} and dt <= {{d30}} then 1 end) as purchase_days_prev30,
    coalesce(sum(case when dt > {{d30}} then spend end), 0) as spend_30,
    coalesce(sum(case when dt > {{d60}} and dt <= {{d30}} then spend end), 0) as spend_prev30
  from purchase_days
  group by customer_id
),
first_category as (
  select customer_id, category, min(dt) as first_dt
  from lines
  where status in ({{purchase_statuses}}) and category is not null
  group by customer_id, category
),
widened as (
  select fc.customer_id, count(*) as new_categories_30
  from first_category fc
  join per_customer pc on pc.customer_id = fc.customer_id
  where fc.first_dt > {{d30}} and fc.first_dt > pc.first_purchase_dt
  group by fc.customer_id
)
select
  o.customer_id,
  cast(o.orders as integer) as orders,
  p.first_purchase_dt,
  cast(coalesce(p.purchase_days, 0) as integer) as purchase_days,
  cast(coalesce(p.purchase_days_365, 0) as integer) as purchase_days_365,
  cast(coalesce(p.purchase_days_30, 0) as integer) as purchase_days_30,
  cast(coalesce(p.purchase_days_prev30, 0) as integer) as purchase_days_prev30,
  cast(coalesce(p.spend_30, 0) as double) as spend_30,
  cast(coalesce(p.spend_prev30, 0) as double) as spend_prev30,
  cast(coalesce(w.new_categories_30, 0) as integer) as new_categories_30
from all_orders o
left join per_customer p on p.customer_id = o.customer_id
left join widened w on w.customer_id = o.customer_id
