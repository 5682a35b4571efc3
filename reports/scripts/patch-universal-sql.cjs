#!/usr/bin/env node
// postinstall: make two start-up statements of @evidence-dev/universal-sql non-fatal.
//
// Why: package.json overrides @duckdb/duckdb-wasm to 1.28.0 (DuckDB 0.9.1), the one release with
// parquet linked in statically, because later releases download the parquet extension during
// `evidence sources` and hang forever offline. universal-sql 3.0.1 opens every connection with two
// settings that only exist from DuckDB 0.10 / 1.1 on and that merely restore 0.9's behaviour; on
// 0.9.1 they fail with "unrecognized configuration parameter" and abort the start-up. The patch
// runs each statement only when the engine knows the setting (duckdb_settings()), so newer
// engines behave exactly as before and 0.9.1 starts without an error (not even a logged one).
//
// The script fails loudly (exit 1) when it cannot find the statements it patches, so an upgrade
// of Evidence cannot silently drop the fix: whoever upgrades must look again.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MARKER = '/* sdsf: skipped where the engine lacks the setting (DuckDB 0.9) */';
const SETTINGS = {
	ieee_floating_point_ops: 'SET ieee_floating_point_ops = false;',
	old_implicit_casting: 'SET old_implicit_casting = true;'
};
const FILES = ['src/client-duckdb/node.js', 'src/client-duckdb/browser.js'];

// `await` on both clients: the Node one answers synchronously, the browser one with a promise.
const guarded = (name, call) =>
	`if ((await connection.query("select 1 from duckdb_settings() where name = '${name}'"))` +
	`.numRows > 0) ${MARKER} await ${call};`;

function fail(message) {
	console.error(`patch-universal-sql: ${message}`);
	console.error(
		'patch-universal-sql: the offline build depends on this patch (see reports/package.json); ' +
			'check the @evidence-dev/universal-sql and @duckdb/duckdb-wasm versions before going on.'
	);
	process.exit(1);
}

// npm hoists the package to the top; look in the nested place too in case a future tree nests it.
const root = path.resolve(__dirname, '..');
const candidates = [
	path.join(root, 'node_modules/@evidence-dev/universal-sql'),
	path.join(root, 'node_modules/@evidence-dev/evidence/node_modules/@evidence-dev/universal-sql')
].filter((dir) => fs.existsSync(path.join(dir, 'package.json')));
if (candidates.length === 0) fail(`@evidence-dev/universal-sql is not installed under ${root}`);

for (const pkgDir of candidates) patchPackage(pkgDir);

function patchPackage(pkgDir) {
	for (const rel of FILES) {
		const file = path.join(pkgDir, rel);
		if (!fs.existsSync(file)) fail(`${file} is missing`);
		let text = fs.readFileSync(file, 'utf8');
		let changed = false;
		for (const [name, statement] of Object.entries(SETTINGS)) {
			const call = `connection.query('${statement}')`;
			const original = `await ${call};`;
			const patched = guarded(name, call);
			if (text.includes(patched)) continue;
			const count = text.split(original).length - 1;
			if (count !== 1) fail(`expected exactly one "${original}" in ${file}, found ${count}`);
			text = text.replace(original, patched);
			changed = true;
		}
		if (changed) {
			fs.writeFileSync(file, text);
			console.log(`patch-universal-sql: patched ${path.relative(root, file)}`);
		} else {
			console.log(`patch-universal-sql: ${path.relative(root, file)} already patched`);
		}
	}
}
