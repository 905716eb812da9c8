import { runScenarioFile } from './harness/runner/run.ts';
const r = await runScenarioFile(process.argv[2]!, { profile: 'ci', reportDir: '/tmp/oya-reports', log: (l) => console.log(l) });
console.log(r.verdict, r.error);
for (const g of r.gates) console.log(g.pass ? 'ok ' : 'BAD', g.name, '|', g.expected, '|', g.actual);
console.log(JSON.stringify(r.journal.phases), JSON.stringify(r.journal.teardown));
