select * from dim_indicators
