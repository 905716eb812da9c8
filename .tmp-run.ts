import { runScenarioFile } from './harness/runner/run.ts';
for (const file of process.argv.slice(2)) {
  const r = await runScenarioFile(file, { profile: 'ci', reportDir: '/tmp/oya-reports' });
  console.log(`== ${r.verdict.toUpperCase()} ${file} ${r.journal.durationMs}ms ${JSON.stringify(r.journal.phases.map((p) => `${p.name}:${p.ms}`))}`);
  if (r.error) console.log('   error:', (r.error as Error).message.slice(0, 400));
  for (const g of r.gates) if (!g.pass) console.log('   BAD', g.name, '|', g.expected, '|', g.actual.slice(0, 400));
  if (r.journal.teardown.length) console.log('   teardown:', JSON.stringify(r.journal.teardown));
}
