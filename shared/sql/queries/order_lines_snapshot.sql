-- A daily run's snapshot of the order history: the order_lines rows up to {{as_of}}, read once and
-- then by every query of the run (in AWS UNLOADed by the SQL stage; locally a Parquet file).
-- Bounded by where the committed lines lie, from the commit records ({{first_day}} on, the sources
-- that have committed batches), so Athena lists those partitions rather than every projected one.
-- Runs unchanged on DuckDB and Athena (Trino); {{columns}} is the schema's column list.
select {{columns}}
from order_lines
where dt <= {{as_of}}
  and dt >= {{first_day}}
  and source in ({{sources}})
