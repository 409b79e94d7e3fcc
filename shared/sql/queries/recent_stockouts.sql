-- SKU x warehouse pairs warned about after {{since}} (the cooldown) and before {{as_of}}, and those a snapshot drop warned about on {{as_of}} itself.
-- Runs unchanged on DuckDB and Athena (Trino).
select distinct sku, warehouse
from stockout
where dt > {{since}} and (dt < {{as_of}} or triggered_by = 'inventory_drop')
