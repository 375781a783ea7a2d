-- The weights of each position-based attribution model in seed attribution_model_weights sum
-- to 1 (to 1e-9). Returns the models that do not.
select
    attribution_model,
    sum(weight) as weight_sum
from {{ ref('attribution_model_weights') }}
group by attribution_model
having abs(sum(weight) - 1) > 1e-9
