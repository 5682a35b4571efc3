// The rows of an Evidence query (or of nothing yet) as a plain array, for {#each} and filters.

/** @param {Iterable<Record<string, unknown>> | undefined | null} query */
export const rows = (query) => (query ? Array.from(query) : []);
