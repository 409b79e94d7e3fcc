-- How many order line versions, as of {{as_of}}, ingest stored without a reporting-currency amount
-- (no exchange rate for their dates then). A scan of three columns, no view: the run asks
-- lines_converted_late.sql (which reads the order_lines view) only when there are any.
-- Runs unchanged on DuckDB and Athena (Trino).
select cast(count(*) as integer) as lines
from order_lines_versions
where dt <= {{as_of}}
  -- Where committed lines lie (the commit records): Athena lists those days and sources only.
  and dt >= {{first_day}}
  and source in ({{sources}})
  and net_amount_rc is null
