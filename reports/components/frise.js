// The lanes of the timelines (Frise.svelte) from the rows of fct_action_milestones' source
// query: one lane per axis on a scheme's page, one per milestone on an action's page.

/** One lane per axis, from its first to its last due date, a diamond per milestone. */
export const couloirsParAxe = (jalons) =>
	[...new Set(jalons.map((j) => j.axis_code))].map((axe) => {
		const ceux = jalons.filter((j) => j.axis_code === axe);
		const positions = ceux.map((j) => Number(j.due_position));
		return {
			key: axe,
			label: `${axe} – ${ceux[0].axis_title}`,
			href: ceux[0].lien,
			start: Math.min(...positions),
			end: Math.max(...positions),
			markers: ceux.map((j) => ({
				position: j.due_position,
				shape: 'due',
				status: j.status,
				title: `${j.milestone_code} (${j.action_code}) – ${j.milestone_label} – échéance ${j.due_fr} – ${j.status_label}`
			}))
		};
	});

/**
 * One lane per milestone: its due date, the day it was reached, and between them a bar of the
 * colour of its situation (an overdue milestone's bar runs to the day its delay is counted to).
 */
export const couloirsParJalon = (jalons) =>
	jalons.map((j) => {
		const echeance = Number(j.due_position);
		const atteint = j.reached_position === null ? null : Number(j.reached_position);
		const fin = atteint ?? (j.status === 'overdue' ? Number(j.late_until_position) : echeance);
		const markers = [
			{
				position: echeance,
				shape: 'due',
				status: j.status,
				title: `${j.milestone_code} – échéance ${j.due_fr} – ${j.status_label}`
			}
		];
		if (atteint !== null) {
			markers.push({
				position: atteint,
				shape: 'reached',
				status: j.status,
				title: `${j.milestone_code} – atteint le ${j.reached_fr}`
			});
		}
		return {
			key: j.milestone_code,
			label: `${j.milestone_code} – ${j.milestone_label}`,
			start: Math.min(echeance, fin),
			end: Math.max(echeance, fin),
			status: j.status,
			markers
		};
	});

/** The first of January of each year inside a scheme's span (a row of dim_schemes), placed on it. */
export const reperesAnnuels = (schema) => {
	if (!schema) return [];
	const debut = new Date(schema.start_date).getTime();
	const fin = new Date(schema.end_date).getTime();
	const premiere = new Date(schema.start_date).getUTCFullYear() + 1;
	const derniere = new Date(schema.end_date).getUTCFullYear();
	const reperes = [];
	for (let annee = premiere; annee <= derniere; annee += 1) {
		reperes.push({ label: String(annee), position: (Date.UTC(annee, 0, 1) - debut) / (fin - debut) });
	}
	return reperes;
};

/** The situations the milestones shown are in, each once (code and French label), for the legend. */
export const legende = (jalons) => {
	const vus = new Map();
	for (const j of jalons) if (j.status && !vus.has(j.status)) vus.set(j.status, j.status_label);
	return [...vus].map(([code, label]) => ({ code, label }));
};
