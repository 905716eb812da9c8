import { loadScenarioText } from './harness/scenario/index.ts';
import { runScenario } from './harness/runner/run.ts';
const cases: Record<string, string> = {
  'adhoc-db-kill': `system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, timeouts: { db: 1s } }
workload: [{ beads: 6, rate: 4/s }]
faults: [{ at: 500ms, do: db.kill, for: 1500ms }]`,
  'adhoc-db-reset': `system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, timeouts: { db: 1s } }
workload: [{ beads: 6, rate: 4/s }]
faults: [{ at: 500ms, do: db.reset, for: 1s }]`,
  'adhoc-db-hang': `system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, timeouts: { db: 1s } }
workload: [{ beads: 6, rate: 4/s }]
faults: [{ at: 500ms, do: db.outage, mode: hang, for: 2s }]`,
  'adhoc-actors-kill': `system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, admin: true }
workload: [{ beads: 6, rate: 4/s }]
faults: [{ at: 300ms, do: actors.kill, for: 1s, every: 300ms, count: 1 }]`,
  'adhoc-disk-full': `system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, timeouts: { db: 1s } }
workload: [{ beads: 6, rate: 4/s }]
faults: [{ at: 500ms, do: db.diskFull, for: 2s }]`,
};
const only = process.argv.slice(2);
for (const [name, body] of Object.entries(cases)) {
  if (only.length && !only.includes(name)) continue;
  const s = loadScenarioText(`name: ${name}\nkind: integration\n${body}\ntimeouts: { drain: 45s, total: 90s }\n`, `scenarios/integration/${name}.yaml`);
  const r = await runScenario(s, { reportDir: '/tmp/oya-reports' });
  console.log(`== ${r.verdict} ${name} ${r.journal.durationMs}ms`, r.error ? (r.error as Error).message.slice(0, 300) : '', JSON.stringify(r.journal.faults.map((f: any) => ({ do: f.do, s: Math.round(f.startedAt), h: Math.round(f.healedAt), rec: f.recoveryMs && Math.round(f.recoveryMs), err: f.error, d: f.details }))).slice(0, 400));
  for (const g of r.gates) if (!g.pass) console.log('   BAD', g.name, '|', g.expected, '|', g.actual.slice(0, 300));
}
