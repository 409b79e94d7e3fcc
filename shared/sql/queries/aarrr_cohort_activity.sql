-- AARRR retention and revenue: per first-purchase month (cohort) and month since the first purchase,
-- the cohort's size, its customers who purchased that month, and their revenue, as of {{as_of}}.
-- Purchases as in rfm_customer_aggregates.sql. Runs unchanged on DuckDB and Athena (Trino).
with purchases as (
  select customer_id, dt, net_amount_rc
  from order_lines
  where dt <= {{as_of}}
    and customer_id is not null
    and status in ({{purchase_statuses}})
),
firsts as (
  select customer_id, min(dt) as first_dt from purchases group by customer_id
),
sizes as (
  select substr(first_dt, 1, 7) as cohort_month, count(*) as cohort_customers from firsts group by substr(first_dt, 1, 7)
),
activity as (
  select
    substr(f.first_dt, 1, 7) as cohort_month,
    (cast(substr(p.dt, 1, 4) as integer) - cast(substr(f.first_dt, 1, 4) as integer)) * 12
      + cast(substr(p.dt, 6, 2) as integer) - cast(substr(f.first_dt, 6, 2) as integer) as month_index,
    p.customer_id,
    p.net_amount_rc
  from purchases p
  join firsts f on p.customer_id = f.customer_id
)
select
  a.cohort_month,
  cast(a.month_index as integer) as month_index,
  cast(s.cohort_customers as integer) as cohort_customers,
  cast(count(distinct a.customer_id) as integer) as active_customers,
  cast(coalesce(sum(a.net_amount_rc), 0) as double) as revenue
from activity a
join sizes s on a.cohort_month = s.cohort_month
group by a.cohort_month, a.month_index, s.cohort_customers
