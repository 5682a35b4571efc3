select * from dim_schemes
