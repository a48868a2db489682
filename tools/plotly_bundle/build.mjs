// Builds the partial plotly.js bundle the dashboard serves instead of the full plotly.min.js (see README.md).
// Run by build.sh in a temporary folder holding this file, package.json, package-lock.json and node_modules.
//   node build.mjs <vendor dir> <manifest.json> <repo root>
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

// The trace types the dashboard draws (`go.Scatter`, `go.Bar`, `go.Choropleth` in dashboard/). `scatter` is always
// in plotly.js/lib/core, with every layout component (shapes from add_vline, annotations, legend, colour bars, hover,
// mode bar, error bars). A trace type left out is silently not drawn (plotly.js makes it invisible): add it here and
// rebuild; tests/browser/test_plotly_bundle.py compares this list (from bundle.json) with the `go.<Trace>(` calls.
const TRACES = ['scatter', 'bar', 'choropleth'];

const [vendorDir, manifestPath, repoRoot] = process.argv.slice(2);
const plotlyDir = path.resolve('node_modules/plotly.js');
const version = JSON.parse(fs.readFileSync(path.join(plotlyDir, 'package.json'), 'utf8')).version;
const name = `plotly-${version}-sdg87`;

const registered = TRACES.filter((t) => t !== 'scatter').map((t) => `require('plotly.js/lib/${t}')`);
const entry = ["'use strict';", "var Plotly = require('plotly.js/lib/core');",
    `Plotly.register([${registered.join(', ')}]);`, 'module.exports = Plotly;', ''].join('\n');
fs.writeFileSync('entry.js', entry);

// The copyright line of the official dist bundle of the same version.
const official = fs.readFileSync(path.join(plotlyDir, 'dist/plotly.min.js'), 'utf8').slice(0, 400);
const copyright = (official.match(/\* (Copyright [^\n]*)/) || [null, 'Copyright Plotly, Inc.'])[1];
const banner = `/**
* plotly.js v${version} (partial bundle for the SDG 8.7 Monitor: ${TRACES.join(', ')})
* ${copyright}
* All rights reserved.
* Licensed under the MIT license; notices of the bundled packages: ${name}.LICENSE.txt
* Built by tools/plotly_bundle/build.sh from the plotly.js npm package (lib/core + traces), esbuild ${esbuild.version}
*/`;

// As plotly.js's own esbuild-config.js, minus the plugins only map and WebGL traces need: the maplibre-gl
// stylesheet that the trace registry requires is only used by map traces (left out: empty), and no shaders.
const result = await esbuild.build({
    entryPoints: ['entry.js'],
    bundle: true,
    format: 'iife',
    globalName: 'Plotly', // a classic <script>: `var Plotly` is window.Plotly, which dcc.Graph uses if present
    minify: true,
    target: 'es2016',
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    loader: { '.css': 'empty' },
    legalComments: 'eof',
    banner: { js: banner },
    metafile: true,
    write: false,
    logLevel: 'warning',
});
const code = Buffer.from(result.outputFiles[0].contents);
for (const forbidden of ['new Function(', 'maplibre']) {
    if (code.includes(forbidden)) throw new Error(`bundle contains ${forbidden}`);
}

// Licence notices: plotly.js, then every npm package with code in the bundle.
const packages = new Map(); // name@version -> [package dir, package.json]
const [output] = Object.values(result.metafile.outputs);
for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const parts = input.split('/');
    const i = parts.lastIndexOf('node_modules');
    if (i < 0 || !bytesInOutput || input.endsWith('.css')) continue; // the emptied stylesheet is no code
    const dir = parts.slice(0, i + (parts[i + 1].startsWith('@') ? 3 : 2)).join('/');
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (!packages.has(`${pkg.name}@${pkg.version}`)) packages.set(`${pkg.name}@${pkg.version}`, [dir, pkg]);
}
const licenceText = (dir) => {
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    return file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : null;
};
const notices = [`${name}.min.js: plotly.js v${version} with the traces ${TRACES.join(', ')}.`, '',
    `plotly.js ${version} (https://github.com/plotly/plotly.js)`, '', licenceText(plotlyDir), '', '',
    'The bundle also contains code from these npm packages:', ''];
const sorted = [...packages.values()].filter(([, p]) => p.name !== 'plotly.js')
    .sort(([, a], [, b]) => a.name.localeCompare(b.name));
for (const [, p] of sorted) notices.push(`- ${p.name} ${p.version} (${p.license || 'see below'})`);
for (const [dir, p] of sorted) {
    notices.push('', '', `---- ${p.name} ${p.version} (${p.license || 'no licence field'}) ----`, '',
        licenceText(dir) || `No licence file in the package; package.json says: ${p.license}`);
}

fs.mkdirSync(vendorDir, { recursive: true });
const out = path.join(vendorDir, `${name}.min.js`);
fs.writeFileSync(out, code);
fs.writeFileSync(path.join(vendorDir, `${name}.LICENSE.txt`), notices.join('\n') + '\n');

const manifest = {
    file: path.relative(repoRoot, out),
    plotly_js: version,
    traces: TRACES,
    esbuild: esbuild.version,
    bytes: code.length,
    gzip_bytes: gzipSync(code, { level: 6 }).length,
    sha256: createHash('sha256').update(code).digest('hex'),
    official_full_bundle: {
        file: 'plotly.js/dist/plotly.min.js',
        bytes: fs.statSync(path.join(plotlyDir, 'dist/plotly.min.js')).size,
        gzip_bytes: gzipSync(fs.readFileSync(path.join(plotlyDir, 'dist/plotly.min.js')), { level: 6 }).length,
    },
};
fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');

// dashboard/assets/plotly-loader.js names the bundle, with a cache key from its hash.
const loaderPath = path.join(vendorDir, '..', 'plotly-loader.js');
const loader = fs.readFileSync(loaderPath, 'utf8');
const pattern = /var BUNDLE = '[^']*';/;
if (!pattern.test(loader)) throw new Error(`no "var BUNDLE = '…';" line in ${loaderPath}`);
fs.writeFileSync(loaderPath, loader.replace(pattern,
    `var BUNDLE = 'vendor/${name}.min.js?v=${manifest.sha256.slice(0, 12)}';`));
console.log(JSON.stringify(manifest, null, 2));
