-- Net revenue per platform, channel and category of purchases after {{since}} up to {{as_of}}: the
-- category concentration of each channel's assortment. Runs unchanged on DuckDB and Athena (Trino).
select
  l.source,
  coalesce(l.channel, '(none)') as channel,
  coalesce(l.category, p.category, '(uncategorised)') as category,
  cast(coalesce(sum(l.net_amount_rc), 0) as double) as revenue
from order_lines l
left join (select sku, max(category) as category from products group by sku) p on p.sku = l.sku
where l.dt > {{since}}
  and l.dt <= {{as_of}}
  and l.status in ({{purchase_statuses}})
group by l.source, coalesce(l.channel, '(none)'), coalesce(l.category, p.category, '(uncategorised)')
