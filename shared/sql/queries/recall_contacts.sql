-- Latest contact details of the customers on a recall list. Reads the restricted contacts table;
-- only the churn-recall sink runs this. {{customer_ids}} is a list of string literals.
select customer_id, source_customer_ref, email, phone
from (
  select
    c.*,
    row_number() over (partition by customer_id order by exported_at desc, batch_id desc, source_line desc nulls last) as version_rank
  from contacts c
  where customer_id in ({{customer_ids}})
) latest
where version_rank = 1
