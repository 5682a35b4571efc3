select * from fct_indicator_values
