select * from dim_axes
