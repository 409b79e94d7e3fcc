-- Customers already on a churn-recall list in the cooldown window before {{as_of}}:
-- alerted on or after {{since}} and strictly before {{as_of}} (re-running {{as_of}} itself
-- replaces that day's list, so it must not count against itself).
select distinct customer_id
from churn_recall
where dt >= {{since}}
  and dt < {{as_of}}
