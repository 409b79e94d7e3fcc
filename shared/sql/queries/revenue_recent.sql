-- Net revenue of every purchased order line from {{since}} (exclusive) to {{as_of}} (inclusive),
-- in the reporting currency: all orders, with or without a buyer id, and the part whose export names
-- the buyer (what the customer models count). Lines without an exchange rate count as nothing.
-- Runs unchanged on DuckDB and Athena (Trino).
select
  cast(coalesce(sum(net_amount_rc), 0) as double) as revenue,
  cast(coalesce(sum(case when customer_id is not null then net_amount_rc end), 0) as double) as revenue_identified
from order_lines
where dt > {{since}}
  and dt <= {{as_of}}
  and status in ({{purchase_statuses}})
