-- Latest contact details of the customers on the recall list of {{as_of}}: the customers of that
-- day's churn_recall partition, taken by a semi-join, so the query text is the same few hundred
-- bytes however many customers are alerted (Athena refuses a query over 262,144 bytes). Reads the
-- restricted contacts table; only the churn-recall sink runs this.
select customer_id, source_customer_ref, name, email, phone
from (
  select
    c.customer_id, c.source_customer_ref, c.name, c.email, c.phone,
    row_number() over (partition by c.customer_id order by c.exported_at desc, c.batch_id desc, c.source_line desc nulls last) as version_rank
  from contacts c
  where c.customer_id in (select r.customer_id from churn_recall r where r.dt = {{as_of}})
) latest
where version_rank = 1
