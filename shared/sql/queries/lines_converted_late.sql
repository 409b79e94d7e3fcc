-- Purchased order lines, as of {{as_of}}, that ingest could not convert (no exchange rate for their
-- dates yet) and the order_lines view now converts, with rates ingested since: per currency, so the
-- run can say what it did. Runs unchanged on DuckDB and Athena (Trino).
select
  o.currency,
  cast(count(*) as integer) as lines
from order_lines o
where o.dt <= {{as_of}}
  and o.status in ({{purchase_statuses}})
  and o.net_amount_rc is not null
  and exists (
    select 1
    from order_lines_versions v
    where v.dt = o.dt
      and v.source = o.source
      and v.order_id = o.order_id
      and v.line_id = o.line_id
      and v.batch_id = o.batch_id
      and v.net_amount_rc is null
  )
group by o.currency
