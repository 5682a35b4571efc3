// The site is Evidence's single-page app (orchestration/evidence_site.py sets VITE_EVIDENCE_SPA):
// SvelteKit's static adapter writes the app's one page as index.html, which
// orchestration/site_app.py copies to every address of every slice. Evidence merges this file
// into its own SvelteKit configuration.
import adapter from '@sveltejs/adapter-static';
export default { kit: { adapter: adapter({ fallback: 'index.html', strict: false }) } };
