-- What the site shows: one row (edition, build time, previous edition, secrecy threshold).
select
    *,
    strftime(built_at, '%d/%m/%Y à %H:%M UTC') as built_at_fr,
    strftime(last_file_received_at, '%d/%m/%Y') as last_file_received_fr
from edition
