// The maps' colours by the `classe` the source queries give (carte_valeurs.sql, carte_ecarts.sql),
// in the order of the legend.

// Values: five blues from the largest fifth to the smallest; grey for a hidden figure (« secret
// statistique »), white for a territory without a value.
export const couleursValeurs = [
	[5, '#08519c'],
	[4, '#3182bd'],
	[3, '#6baed6'],
	[2, '#bdd7e7'],
	[1, '#eff3ff'],
	[0, '#a3a3a3'],
	[-1, '#ffffff']
];

// Gap to the scheme's value: purples above, oranges below, pale when close; as above otherwise.
export const couleursEcarts = [
	[2, '#5e3c99'],
	[1, '#b2abd2'],
	[0, '#f7f7f7'],
	[-1, '#fdb863'],
	[-2, '#e66101'],
	[9, '#a3a3a3'],
	[-9, '#ffffff']
];
