// Rows whose text columns contain the searched words, ignoring case and accents.

import { rows as toRows } from './lignes.js';

/** @param {unknown} text */
const plain = (text) =>
	String(text ?? '')
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase();

/**
 * @param {Iterable<Record<string, unknown>> | undefined} rows
 * @param {string} query
 * @param {string[]} keys the columns searched
 */
export function filtrer(rows, query, keys) {
	const all = toRows(rows);
	const words = plain(query).split(/\s+/).filter(Boolean);
	if (!words.length) return all;
	return all.filter((row) => {
		const text = keys.map((key) => plain(row[key])).join(' ');
		return words.every((word) => text.includes(word));
	});
}
