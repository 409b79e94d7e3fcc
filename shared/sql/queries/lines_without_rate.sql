-- Purchased order lines, as of {{as_of}}, with no reporting-currency amount (no exchange rate):
-- per currency, with the order dates they span, so the run can name what the models leave out.
-- Runs unchanged on DuckDB and Athena (Trino).
select
  currency,
  min(dt) as first_date,
  max(dt) as last_date,
  cast(count(*) as integer) as lines
from order_lines
where dt <= {{as_of}}
  and net_amount_rc is null
  and status in ({{purchase_statuses}})
group by currency
