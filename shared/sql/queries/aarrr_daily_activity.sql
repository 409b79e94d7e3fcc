-- AARRR per day, source and channel, as of {{as_of}}: acquisition (customers whose first order is
-- that day), activation (customers whose first paid order is that day), revenue and repeat buyers,
-- and referral (new customers whose first order carries a referral / group-buy id).
-- A customer is counted in the source and channel of their first order (the earliest by order time;
-- ties by source, order id, channel, so no engine picks differently). `has_referrals` says whether
-- the source carries referral ids at all. Runs unchanged on DuckDB and Athena (Trino).
--
-- Referral belongs to the first order itself: a customer whose first order carries no referral id
-- was not acquired by a referral, whatever later orders carry. (min_by(referral_id, dt) differed by
-- engine: DuckDB's skips rows whose value is null and so took a later order's id; Trino's does not.)
with lines as (
  select customer_id, order_id, order_ts, dt, source, coalesce(channel, '(none)') as channel, status, net_amount_rc, referral_id
  from order_lines
  where dt <= {{as_of}} and customer_id is not null
),
-- The lines of a day, source and channel are counted per customer and order first: the counts
-- below then read a row per order, not per line.
paid_orders as (
  select customer_id, order_id, dt, source, channel, sum(net_amount_rc) as net
  from lines
  where status in ({{purchase_statuses}})
  group by customer_id, order_id, dt, source, channel
),
first_orders as (
  select customer_id, source, order_id, dt, channel
  from (
    select customer_id, source, order_id, dt, channel,
      row_number() over (partition by customer_id order by order_ts, source, order_id, channel) as order_rank
    from (select distinct customer_id, source, order_id, order_ts, dt, channel from lines) order_rows
  ) ranked
  where order_rank = 1
),
order_referrals as (
  select customer_id, source, order_id, max(referral_id) as referral_id
  from lines
  group by customer_id, source, order_id
),
customers as (
  -- Referred when any line of the first order carries a referral id (max skips nulls on both engines).
  select
    f.customer_id,
    f.dt as first_dt,
    f.source as first_source,
    f.channel as first_channel,
    r.referral_id as first_referral
  from first_orders f
  join order_referrals r on r.customer_id = f.customer_id and r.source = f.source and r.order_id = f.order_id
),
first_paid as (
  select customer_id, min(dt) as first_paid_dt from paid_orders group by customer_id
),
-- Acquisition and activation counted in one pass over the customers (a row per customer for each
-- kind): a relation a query names twice is computed twice, by DuckDB and by Athena alike.
acquired_activated as (
  select
    case when k.kind = 'acquired' then c.first_dt else fp.first_paid_dt end as dt,
    c.first_source as source,
    c.first_channel as channel,
    sum(case when k.kind = 'acquired' then 1 else 0 end) as new_customers,
    sum(case when k.kind = 'acquired' and c.first_referral is not null then 1 else 0 end) as referral_customers,
    sum(case when k.kind = 'activated' then 1 else 0 end) as activated_customers
  from customers c
  left join first_paid fp on fp.customer_id = c.customer_id
  cross join (values ('acquired'), ('activated')) as k (kind)
  where k.kind = 'acquired' or fp.first_paid_dt is not null
  group by case when k.kind = 'acquired' then c.first_dt else fp.first_paid_dt end, c.first_source, c.first_channel
),
revenue as (
  select p.dt, p.source, p.channel,
    count(distinct p.customer_id) as buyers,
    count(distinct case when p.dt > fp.first_paid_dt then p.customer_id end) as repeat_buyers,
    count(distinct p.order_id) as paid_orders,
    coalesce(sum(p.net), 0) as revenue
  from paid_orders p join first_paid fp on p.customer_id = fp.customer_id
  group by p.dt, p.source, p.channel
),
referral_sources as (
  select source, max(case when referral_id is not null then 1 else 0 end) as has_referrals from lines group by source
),
days as (
  select
    coalesce(a.dt, r.dt) as dt,
    coalesce(a.source, r.source) as source,
    coalesce(a.channel, r.channel) as channel,
    a.new_customers,
    a.activated_customers,
    a.referral_customers,
    r.buyers,
    r.repeat_buyers,
    r.paid_orders,
    r.revenue
  from acquired_activated a
  full outer join revenue r on r.dt = a.dt and r.source = a.source and r.channel = a.channel
)
select
  d.dt as date,
  d.source,
  d.channel,
  cast(coalesce(d.new_customers, 0) as integer) as new_customers,
  cast(coalesce(d.activated_customers, 0) as integer) as activated_customers,
  cast(coalesce(d.buyers, 0) as integer) as buyers,
  cast(coalesce(d.repeat_buyers, 0) as integer) as repeat_buyers,
  cast(coalesce(d.paid_orders, 0) as integer) as paid_orders,
  cast(coalesce(d.revenue, 0) as double) as revenue,
  cast(coalesce(d.referral_customers, 0) as integer) as referral_customers,
  cast(rs.has_referrals as integer) as has_referrals
from days d
join referral_sources rs on rs.source = d.source
