select * from dim_territories
