// The years of a scheme grouped by what the site prints beside their figures (figures_label of
// fct_period_approvals, from the vocabulary): the validated years first, then the provisional.

/** @param {Array<{annee: string, figures_label: string, is_approved: boolean}>} years */
export function etatsValidation(years) {
  const groups = [];
  for (const valide of [true, false]) {
    const annees = years.filter((y) => y.annee != null && Boolean(y.is_approved) === valide);
    if (annees.length) groups.push({ valide, label: annees[0].figures_label, annees });
  }
  return groups;
}

// One year as the banner lists it, under its group's label: an approved year with who approved
// it, when, and the expected files missing then; a reviewed one with its state and reviewer;
// any other alone.
/** @param {{annee: string, approval_state: string, approval_state_label: string, is_approved: boolean, approved_by: string, approved_fr: string, reviewed_by: string, reviewed_fr: string, manquants: string}} a */
export function anneeValidation(a) {
  if (a.is_approved) {
    const missing =
      a.manquants && a.manquants !== '0' ? `, ${a.manquants} fichier(s) attendu(s) manquant(s)` : '';
    return `${a.annee} (par ${a.approved_by} le ${a.approved_fr}${missing})`;
  }
  if (a.reviewed_by) return `${a.annee} (${a.approval_state_label} par ${a.reviewed_by} le ${a.reviewed_fr})`;
  return a.annee;
}
