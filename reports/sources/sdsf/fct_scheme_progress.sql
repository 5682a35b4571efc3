-- `figures_label` (fct_period_approvals): « validé » or « provisoire » beside the year's figures.
-- Progress with French percentages (0.42 -> « 42 % »).
-- The one home of which year a page shows for a scheme (every page and the national index read
-- these two flags, none recomputes them):
--   is_latest_with_figures  the latest year in which some action has a progress (by its
--                           indicators or its milestones): « dernière année renseignée »;
--   is_headline_year        that year, or the scheme's first year while none has figures yet
--                           (the year a scheme's summary describes).
-- Evidence writes an unreadable Parquet file for a query with no rows and the build then fails:
-- an empty table yields one row of nulls instead, which every page query filters out.
with q as (
    select
        p.*,
        coalesce(fr_percent(p.progress), '–') as progress_fr,
        coalesce(fr_percent(p.expected_progress), '–') as expected_progress_fr,
        a.figures_label,
        a.is_approved,
        p.year = max(p.year) filter (where p.actions_with_value > 0)
            over (partition by p.scheme_id) as latest_with_figures,
        p.year = min(p.year) over (partition by p.scheme_id) as first_year
    from fct_scheme_progress as p
    left join fct_period_approvals as a using (scheme_id, year)
),

flagged as (
    select
        * exclude (latest_with_figures, first_year),
        coalesce(latest_with_figures, false) as is_latest_with_figures,
        -- latest_with_figures is null in every year of a scheme with none.
        coalesce(latest_with_figures, first_year) as is_headline_year
    from q
)

select * from flagged
union all
select f.* from (select 1) as one left join flagged as f on false
where not exists (from flagged)
