select * from dim_actions
