#!/usr/bin/env node
/**
 * Gathers the benchmark results of one `make bench` run (the Galata benches'
 * JSON, the proxy benchmark's and the package install benchmark's) into
 * bench/results.json and a table with the budgets in bench/results.md (the
 * README's "Measured" table comes from it).
 *
 *   node bench/report.js <dir with bench-*.json> <out dir>
 */
const fs = require('fs');
const path = require('path');

const [dir = 'ui-tests/test-results', out = 'bench'] = process.argv.slice(2);
const read = name => {
  const file = path.join(dir, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
};
const results = {
  date: new Date().toISOString(),
  machine: `${require('os').cpus().length} cores, ${Math.round(require('os').totalmem() / 2 ** 30)} GiB`,
  startup: read('bench-startup.json'),
  sidebarSeeded: read('bench-seeded.json'),
  sidebarScale: read('bench-scale.json'),
  registrySeeded: read('bench-registry-seeded.json'),
  registryScale: read('bench-registry-scale.json'),
  config: read('bench-config.json'),
  runsSeeded: read('bench-runs-seeded.json'),
  runsScale: read('bench-runs-scale.json'),
  proxy: read('bench-proxy.json'),
  packages: read('bench-packages.json')
};
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');

const rows = [];
/** An operation's short name: SageMaker's bare, others with their service (e.g. CodePipeline ListPipelineExecutions). */
const opName = k =>
  k
    .replace(/^SageMaker\./, '')
    .replace(/^CodePipeline_20150709\./, 'CodePipeline ')
    .replace(/^sagemaker-mlflow\/api\/2\.0\/mlflow\//, 'MLflow ');
const verdict = ok => (ok === undefined ? '' : ok ? 'holds' : '**missed**');
const add = (what, figure, budget = '', ok) => rows.push([what, figure, budget, verdict(ok)]);
const s = results.startup;
if (s) {
  add('JS added to JupyterLab start-up (eager)', `${s.eager.gzipKB} KB gzip (${s.eager.rawKB} KB raw, ${s.eager.files} files)`, '<= 20 KB gzip', s.eager.gzipKB <= 20);
  add('loaded when the sidebar is first shown', `${s.lazyOnFirstShow.gzipKB} KB gzip (${s.lazyOnFirstShow.rawKB} KB raw, ${s.lazyOnFirstShow.files} files)`);
  add(
    `JupyterLab time-to-ready, median of ${s.runs} interleaved`,
    `${s.timeToReadyMs.with.median} ms with, ${s.timeToReadyMs.without.median} ms without (${s.overheadPercent > 0 ? '+' : ''}${s.overheadPercent} %)`,
    'within 3 %',
    s.overheadPercent <= 3
  );
  if (s.scriptMs) {
    add(`main-thread script time of a load, until ready (Chromium's ScriptDuration), median of ${s.runs}`, `${s.scriptMs.with.median} ms with, ${s.scriptMs.without.median} ms without (${s.scriptMs.with.median - s.scriptMs.without.median >= 0 ? '+' : ''}${s.scriptMs.with.median - s.scriptMs.without.median} ms)`);
  }
}
for (const [label, b] of [['seeded', results.sidebarSeeded], ['--scale', results.sidebarScale]]) {
  if (!b) {
    continue;
  }
  add(`sidebar (${label}): open to first pipeline rows, median of ${b.runs}`, `${b.firstRowsMs.median} ms (min ${b.firstRowsMs.min}, max ${b.firstRowsMs.max}); first screen complete ${b.firstScreenCompleteMs.median} ms`);
  add(`sidebar (${label}): AWS requests per refresh, every section open at its first screen`, `${b.requestsPerRefresh} (${Object.entries(b.requestsByOperation).map(([k, v]) => `${opName(k)} ${v}`).join(', ')})`, label === '--scale' ? '<= 60' : '', label === '--scale' ? b.requestsPerRefresh <= 60 : undefined);
  add(`sidebar (${label}): rows in the DOM (virtualized), at first / after scrolling through all`, `${b.domRows} / ${b.domRowsAfterScrollingAll}`, 'bounded');
  add(`sidebar (${label}): JS heap growth after scrolling through all`, `${b.heapGrowthMBAfterScrollingAll} MB`, '<= 50 MB', b.heapGrowthMBAfterScrollingAll <= 50);
  const rs = b.runsSection;
  if (rs) {
    add(`runs section (${label}): open to first experiment rows, median of ${b.runs}`, `${rs.firstExperimentRowsMs.median} ms (min ${rs.firstExperimentRowsMs.min}, max ${rs.firstExperimentRowsMs.max})`);
    add(`runs section (${label}): rows in the DOM (virtualized), at first / after reading ${rs.pagesRead} more pages of runs of the biggest experiment and scrolling through them`, `${rs.domRows} / ${rs.domRowsAfterScrollingAll}`, 'bounded');
    add(`runs section (${label}): JS heap growth after that`, `${rs.heapGrowthMBAfterScrollingAll} MB`, '<= 50 MB', rs.heapGrowthMBAfterScrollingAll <= 50);
  }
  add(`sidebar (${label}): requests per minute open and idle / one running execution (refresh ${b.refreshIntervalSeconds} s)`, `${b.idleRequestsPerMinute} / ${b.runningRequestsPerMinute}`);
  add(`sidebar (${label}): requests per minute with the sidebar and tabs hidden`, `${b.hiddenRequestsPerMinute}`, '0', b.hiddenRequestsPerMinute === 0);
}
for (const [label, r] of [['seeded', results.registrySeeded], ['--scale', results.registryScale]]) {
  if (!r) {
    continue;
  }
  add(`registry (${label}): shown to first group rows / group expanded to first version rows, median of ${r.runs}`, `${r.firstGroupRowsMs.median} ms / ${r.firstVersionRowsMs.median} ms`);
  add(`registry (${label}): AWS requests per refresh, project group expanded`, `${r.requestsPerRefresh} (${Object.entries(r.requestsByOperation).map(([k, v]) => `${opName(k)} ${v}`).join(', ')})`, label === '--scale' ? '<= 60' : '', label === '--scale' ? r.requestsPerRefresh <= 60 : undefined);
  add(`registry (${label}): rows in the DOM (virtualized)`, `${r.domRows}`, 'bounded');
  if (r.heapGrowthMBAfterScrollingAll !== undefined) {
    add(`registry (${label}): rows in the DOM / JS heap growth after reading ${r.versionPagesRead} more pages of the group's versions and scrolling through them`, `${r.domRowsAfterScrollingAll} rows / ${r.heapGrowthMBAfterScrollingAll} MB`, 'bounded / <= 50 MB', r.heapGrowthMBAfterScrollingAll <= 50);
  }
}
const cfg = results.config;
if (cfg) {
  add(`config editor (${cfg.lines}-line model_config.yaml): command to an editable form, median of ${cfg.runs}`, `${cfg.tabToEditableFormMs.median} ms (min ${cfg.tabToEditableFormMs.min}, max ${cfg.tabToEditableFormMs.max})`);
  add(`config editor: parse + validation per keystroke in the text view (${cfg.keystrokes ?? 40} keys)`, `median ${cfg.validationPerKeystrokeMs.median} ms, p95 ${cfg.validationPerKeystrokeMs.p95} ms; key to status updated ${cfg.keystrokeRoundTripMs.median} ms median (Playwright's own round trip included)`);
}
const SOURCE_NAMES = { 'sagemaker-experiments': 'SageMaker Experiments', mlflow: 'MLflow' };
for (const [label, r] of [['seeded', results.runsSeeded], ['--scale', results.runsScale]]) {
  if (!r) {
    continue;
  }
  for (const [source, b] of Object.entries(r.sources)) {
    add(`runs table (${label}), ${SOURCE_NAMES[source] ?? source}: open to first rows / every run read (${b.runs} runs), median of ${r.runs}`, `${b.firstRowsMs.median} ms (min ${b.firstRowsMs.min}, max ${b.firstRowsMs.max}) / ${b.allRunsMs.median} ms`);
    add(`runs table (${label}), ${SOURCE_NAMES[source] ?? source}: rows in the DOM with every run read (virtualized)`, `${b.domRows}`, 'bounded');
  }
  const c = r.compare;
  if (c) {
    add(`compare of ${c.runs} runs with ${c.stepsPerHistory.toLocaleString('en')}-step histories: Compare to the history chart drawn with every series (first series), median of ${r.runs}`, `${c.toChartMs.median} ms (${c.toFirstSeriesMs ? c.toFirstSeriesMs.median : '?'} ms) ; min ${c.toChartMs.min}, max ${c.toChartMs.max}; the first compare, with the chart chunk loading: ${c.firstToChartMs} ms`);
    if (c.directHistoriesMs) {
      add(`compare: the same ${c.runs} histories read straight from the tracking server (the floor), median of ${r.runs}`, `${c.directHistoriesMs.median} ms`);
    }
    add('chart chunk (uPlot and the charts, loaded when a chart is first shown)', `${c.chartChunk.gzipKB} KB gzip (${c.chartChunk.rawKB} KB raw, ${c.chartChunk.files.length} files)`);
  }
}
const p = results.proxy;
if (p) {
  const by = Object.fromEntries(p.rows.map(r => [`${r.mode}:${r.concurrency}`, r]));
  for (const c of [1, 8, 32]) {
    const d = by[`direct:${c}`];
    const x = by[`proxy:${c}`];
    if (d && x) {
      add(`proxy over loopback TLS, concurrency ${c}: p50 / p99, throughput`, `direct ${d.p50_ms} / ${d.p99_ms} ms, ${d.throughput_rps} req/s; proxy ${x.p50_ms} / ${x.p99_ms} ms, ${x.throughput_rps} req/s`);
    }
  }
  const f8 = by['jupyter-floor:8'];
  const f32 = by['jupyter-floor:32'];
  if (f8 && f32) {
    add(
      "Jupyter's own floor: an authenticated GET /api/me, no upstream (concurrency 8: p50 / p99; concurrency 32: throughput)",
      `${f8.p50_ms} / ${f8.p99_ms} ms; ${f32.throughput_rps} req/s (${Math.round((f32.throughput_rps / by['direct:32'].throughput_rps) * 100)} % of direct)`
    );
    add(
      'server CPU per request at concurrency 8: proxy / floor',
      `${by['proxy:8'].server_cpu_ms_per_request} / ${f8.server_cpu_ms_per_request} ms`
    );
  }
  const v = p.verdict;
  add('proxy overhead at concurrency 8 (p50 / p99)', `${v.overhead_p50_ms_c8} / ${v.overhead_p99_ms_c8} ms`, '<= 1 / <= 5 ms', v.p50_budget_ok && v.p99_budget_ok);
  add('proxy throughput at concurrency 32, of direct', `${Math.round(v.throughput_ratio_c32 * 100)} %`, '>= 70 %', v.throughput_budget_ok);
  add('proxy errors', `${v.errors}`, '0', v.errors_budget_ok);
}
const k = results.packages;
if (k) {
  const routes = ['extension', 'pip', 'uv'].filter(r => k.routes[r] && !k.routes[r].skipped);
  const runs = k.routes.extension.samples_s.length;
  add(
    `package install (${k.requirement}, cache emptied): ${routes.map(r => (r === 'extension' ? `extension (${k.routes[r].installer})` : r)).join(' / ')}, median of ${runs} interleaved`,
    routes.map(r => `${k.routes[r].median_s} s (${k.routes[r].min_s}-${k.routes[r].max_s})`).join(' / ') +
      `; the extension's POST until 202 (it plans first) ${k.routes.extension.submit_median_s} s`
  );
  const ratios = Object.entries(k.ratios).filter(([, v]) => v !== null);
  add('package install: ratios of the medians', ratios.map(([name, v]) => `${name.replace('_over_', '/')} ${v}`).join(', '));
  if (k.routes.uv && k.routes.uv.skipped) {
    add('package install: uv route', `skipped (${k.routes.uv.skipped})`);
  }
}
const md = [
  '# Benchmark results',
  '',
  `\`make bench\` on ${results.date.slice(0, 10)}, ${results.machine}. Raw figures: [results.json](results.json).`,
  '',
  '| what | figure | budget | |',
  '| --- | --- | --- | --- |',
  ...rows.map(r => `| ${r.join(' | ')} |`),
  ''
].join('\n');
fs.writeFileSync(path.join(out, 'results.md'), md);
process.stdout.write(md);
