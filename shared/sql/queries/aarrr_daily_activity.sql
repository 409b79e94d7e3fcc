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
paid as (
  select * from lines where status in ({{purchase_statuses}})
),
first_orders as (
  select customer_id, source, order_id, dt, channel
  from (
    select customer_id, source, order_id, dt, channel,
      row_number() over (partition by customer_id order by order_ts, source, order_id, channel) as order_rank
    from lines
  ) ranked
  where order_rank = 1
),
customers as (
  -- Referred when any line of the first order carries a referral id (max skips nulls on both engines).
  select
    f.customer_id,
    f.dt as first_dt,
    f.source as first_source,
    f.channel as first_channel,
    max(l.referral_id) as first_referral
  from first_orders f
  join lines l on l.customer_id = f.customer_id and l.source = f.source and l.order_id = f.order_id
  group by f.customer_id, f.dt, f.source, f.channel
),
first_paid as (
  select customer_id, min(dt) as first_paid_dt from paid group by customer_id
),
acquired as (
  select first_dt as dt, first_source as source, first_channel as channel,
    count(*) as new_customers,
    sum(case when first_referral is not null then 1 else 0 end) as referral_customers
  from customers group by first_dt, first_source, first_channel
),
activated as (
  select fp.first_paid_dt as dt, c.first_source as source, c.first_channel as channel, count(*) as activated_customers
  from first_paid fp join customers c on fp.customer_id = c.customer_id
  group by fp.first_paid_dt, c.first_source, c.first_channel
),
revenue as (
  select p.dt, p.source, p.channel,
    count(distinct p.customer_id) as buyers,
    count(distinct case when p.dt > fp.first_paid_dt then p.customer_id end) as repeat_buyers,
    count(distinct p.order_id) as paid_orders,
    coalesce(sum(p.net_amount_rc), 0) as revenue
  from paid p join first_paid fp on p.customer_id = fp.customer_id
  group by p.dt, p.source, p.channel
),
referral_sources as (
  select source, max(case when referral_id is not null then 1 else 0 end) as has_referrals from lines group by source
),
keys as (
  select dt, source, channel from acquired
  union select dt, source, channel from activated
  union select dt, source, channel from revenue
)
select
  k.dt as date,
  k.source,
  k.channel,
  cast(coalesce(a.new_customers, 0) as integer) as new_customers,
  cast(coalesce(v.activated_customers, 0) as integer) as activated_customers,
  cast(coalesce(r.buyers, 0) as integer) as buyers,
  cast(coalesce(r.repeat_buyers, 0) as integer) as repeat_buyers,
  cast(coalesce(r.paid_orders, 0) as integer) as paid_orders,
  cast(coalesce(r.revenue, 0) as double) as revenue,
  cast(coalesce(a.referral_customers, 0) as integer) as referral_customers,
  cast(rs.has_referrals as integer) as has_referrals
from keys k
left join acquired a on a.dt = k.dt and a.source = k.source and a.channel = k.channel
left join activated v on v.dt = k.dt and v.source = k.source and v.channel = k.channel
left join revenue r on r.dt = k.dt and r.source = k.source and r.channel = k.channel
join referral_sources rs on rs.source = k.source
