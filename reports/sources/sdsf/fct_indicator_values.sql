-- Yearly values; quarterly rows (occupation and billing rates) are left to their own pages.
select * from fct_indicator_values where period_type = 'annee'
