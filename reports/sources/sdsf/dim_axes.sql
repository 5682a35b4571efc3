-- `page` is the address of the entity's page (the folders under pages/schemas/): every link uses it.
select *, '/schemas/' || scheme_id || '/axes/' || axis_code as page
from dim_axes
