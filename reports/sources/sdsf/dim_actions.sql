-- `page` is the address of the entity's page (the folders under pages/schemas/), relative to the
-- site's base (a slice lives under /<département>/, orchestration/site_paths.py): every link uses it.
select *, 'schemas/' || scheme_id || '/actions/' || action_code as page
from dim_actions
