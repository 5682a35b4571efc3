-- Every code list with the French label of each code (sources/vocabulary.yaml): pages label
-- the codes the marts store from here, never with French text of their own.
select vocabulary, code, label, definition, position
from dim_vocabulary
