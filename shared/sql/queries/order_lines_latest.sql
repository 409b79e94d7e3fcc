-- The order_lines view: the latest exported version of each order line.
-- The same line arrives again when a later export carries a new status (paid -> refunded);
-- the export time decides, then the ingest time, then the batch id (so the answer is deterministic).
-- A line's order date (dt) is the same in every export of it, so the versions of a line are ranked
-- within its (source, dt) partition: a filter on dt or source is pushed below the window, by DuckDB
-- and by Trino, and a one-day query reads one day's files instead of the whole history.
-- Runs unchanged on DuckDB and Athena (Trino); {{columns}} is the schema's column list.
-- net_amount_rc is converted here, at read time, for every line not in {{reporting_currency}}:
-- the rate of the line's order date, or the latest one up to 7 days earlier (as ingest does, fx.ts);
-- of several rates files giving a day, the latest export, then the batch id. Always, not only where
-- ingest found no rate: a line's amount then depends on the rates in the lake, not on whether they
-- were ingested before or after its export (a corrected rate reaches every line of its days), and
-- rates that arrive after the orders apply at the next run with no re-ingest. Rates are expanded to
-- one row per (currency, day they cover), at most 8 per rate: a small table joined on equality.
-- {{view_columns}} is {{columns}} with net_amount_rc taken from converted_rc.
select {{view_columns}}
from (
  select
    latest.*,
    case
      when latest.currency = {{reporting_currency}} then latest.net_amount
      else round(latest.net_amount * rates.fx_rate, 4)
    end as converted_rc
  from (
-- The latest version of each line:
select {{columns}}
from (
  select
    v.*,
    row_number() over (
      partition by source, dt, order_id, line_id
      order by exported_at desc, ingested_at desc, batch_id desc
    ) as version_rank
  from order_lines_versions v
) ranked
where version_rank = 1
  ) latest
  left join (
    select fx_currency, fx_day, fx_rate
    from (
      select
        f.currency as fx_currency,
        -- 'YYYY-MM-DD', as dt: the join compares strings, no cast per line.
        cast(cast(f."date" + o.back_days * interval '1' day as date) as varchar) as fx_day,
        f.rate as fx_rate,
        row_number() over (
          partition by f.currency, f."date" + o.back_days * interval '1' day
          order by f."date" desc, f.exported_at desc, f.batch_id desc
        ) as fx_rank
      from fx_rates f
      cross join (values (0), (1), (2), (3), (4), (5), (6), (7)) as o (back_days)
      where f.reporting_currency = {{reporting_currency}}
    ) covered
    where fx_rank = 1
  ) rates
    on rates.fx_currency = latest.currency
    and rates.fx_day = latest.dt
) converted
