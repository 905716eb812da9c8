/**
 * A realistic scenario journal for the report tests, built with the REAL parts the runner uses:
 * RunMetrics (HDR histograms, time series, throughput), the operation History, runChecks on a
 * synthetic final state, and the scenario model's threshold evaluation. So the fixture has the
 * shape the runner writes, not a hand-written imitation of it.
 *
 * The synthetic run: beads arrive at a steady rate; a DB outage stalls completions, which then
 * all land late when it heals; an agent crash later costs one retry. One side effect is applied
 * twice and one stream has a gap, so the checks have violations with witnesses to show.
 */
import { History } from '../../history/history.ts';
import { runChecks } from '../../checks/run-checks.ts';
import type { BeadState, CheckEvent, SideEffect } from '../../checks/types.ts';
import { mulberry32 } from '../../../system/util/index.ts';
import { RunMetrics } from '../../metrics/run-metrics.ts';
import { evaluateThreshold, parseThreshold } from '../../scenario/threshold-grammar.ts';
import type { RunJournal } from '../journal.ts';

/** Options of {@link buildJournal}. */
export interface JournalFixtureOptions {
  name?: string;
  kind?: string;
  description?: string;
  beads?: number;
  /** Submissions per second. */
  rate?: number;
  /** Faults as [name, startMs, endMs]; default: a 10 s DB outage at 15 s and an agent crash at 40 s. */
  faults?: readonly (readonly [string, number, number])[];
  /** Plant a doubled side effect and an event gap (default true). */
  violations?: boolean;
  /** Extra text placed in check witness messages (for escaping tests). */
  witnessText?: string;
  thresholds?: Record<string, string>;
  seed?: number;
  /** Bead ids to report as in flight at the final read (a cut drain), as CheckReport.unfinished does. */
  unfinished?: readonly string[];
}

const RUN_START_EPOCH = Date.parse('2026-11-26T17:00:00.000Z');

/** Builds a journal object in the runner's shape (JSON-safe: round-trips through JSON.stringify). */
export function buildJournal(options: JournalFixtureOptions = {}): Record<string, unknown> {
  const beads = options.beads ?? 240;
  const rate = options.rate ?? 4;
  const faults = options.faults ?? [
    ['db.outage', 15_000, 25_000],
    ['agent.crash', 40_000, 40_000],
  ];
  const random = mulberry32(options.seed ?? 7);
  const metrics = new RunMetrics({ startAt: 0 });
  try {
    let now = 0;
    const history = new History({ clock: () => now });
    const finalBeads: Record<string, BeadState> = {};
    const events: CheckEvent[] = [];
    const sideEffects: SideEffect[] = [];
    let lastCompletion = 0;
    for (let i = 0; i < beads; i++) {
      const id = `b${i}`;
      const intendedAt = (i * 1000) / rate;
      now = intendedAt;
      history.invoke({ kind: 'submit', beadIds: [id], idempotencyKey: `bead:${id}`, intendedAt }).ok({ status: 201, beadIds: [id] });
      const agentMs = 800 + random() * 400;
      let completedAt = intendedAt + agentMs + 20 + random() * 60;
      for (const [name, start, end] of faults) {
        // The DB outage holds every completion due inside it until it heals; a crash costs a retry.
        if (name === 'db.outage' && completedAt >= start && completedAt < end) completedAt = end + random() * 900;
        if (name === 'agent.crash' && intendedAt <= start && completedAt > start) completedAt += 1500;
      }
      metrics.recordBead({ intendedAt, completedAt, readyAt: intendedAt + 2, runningAt: intendedAt + 4 + random() * 15, agentMs });
      lastCompletion = Math.max(lastCompletion, completedAt);
      finalBeads[id] = { status: 'succeeded', attempts: 1, idempotencyKey: `bead:${id}`, workflowId: null };
      const types = ['BeadSubmitted', 'BeadQueued', 'BeadStarted', 'StepCheckpointed', 'StepCheckpointed', 'BeadSucceeded'];
      types.forEach((type, seq) =>
        events.push({
          stream: `bead:${id}`,
          seq: seq + 1,
          position: events.length + 1,
          type,
          data:
            type === 'BeadStarted'
              ? { attempt: 1, workerId: 'w1' }
              : type === 'BeadSubmitted'
                ? { beadId: id, idempotencyKey: `bead:${id}`, bead: { id, dependencies: [] }, input: { agent: { steps: 2 } } }
                : { step: seq - 2 },
        }),
      );
      for (let step = 1; step <= 2; step++) sideEffects.push({ key: `${id}:${step}`, beadId: id, step, attempt: 1, pid: 1000, at: completedAt });
    }
    for (const [name, , end] of faults) if (end > 0) metrics.recordRecovery(name, 900 + random() * 1500);
    if (options.violations ?? true) {
      sideEffects.push({ key: 'b3:1', beadId: 'b3', step: 1, attempt: 2, pid: 1001, at: 17_000 });
      // A hole in b5's seq numbers (4 skipped) and nothing else: every event is still there, so
      // only eventGaps has something to find.
      for (const e of events) if (e.stream === 'bead:b5' && e.seq >= 4) e.seq += 1;
    }
    const logBeads = Object.fromEntries(Object.entries(finalBeads).map(([id, s]) => [id, { ...s }]));
    const checks = runChecks({ history, finalBeads, logBeads, events, sideEffects, expectations: { completed: 'all' } });
    if (options.unfinished && options.unfinished.length > 0) {
      checks.unfinished = options.unfinished.map((beadId) => ({
        beadId,
        status: 'running',
        message: `bead ${beadId} was still open at the final read: the drain was cut short, so its outcome is unknown, not lost`,
        witness: { beadIds: [beadId] },
      }));
    }
    if (options.witnessText !== undefined) {
      for (const result of Object.values(checks.checks)) for (const v of result.violations) v.message = `${v.message} ${options.witnessText}`;
    }
    const endMs = Math.ceil(lastCompletion / 1000) * 1000;
    const metricsJson = metrics.toJSON(endMs);
    const thresholds = options.thresholds ?? { 'latency.p99': '< 10s', 'recovery.max': '< 2m', 'throughput.mean': '>= 120/m' };
    const actualOf = (key: string): number => {
      const [metric, stat] = key.split(/[.@]/) as [string, string];
      if (metric === 'throughput') return metricsJson.throughput.perMinute / 60;
      const recorded = metricsJson.metrics[metric === 'latency' ? 'endToEnd' : (metric as 'overhead')];
      return (recorded.summary as unknown as Record<string, number>)[stat]! / 1000;
    };
    const gates: RunJournal['gates'] = [
      ...Object.entries(thresholds).map(([key, condition]) => {
        const result = evaluateThreshold(parseThreshold(key, condition), actualOf(key));
        return { kind: 'threshold', name: key, pass: result.pass, expected: result.expected, actual: result.actual };
      }),
      ...(['lost', 'duplicated', 'eventGaps', 'doubleSideEffects'] as const).map((check) => ({
        kind: 'expect',
        name: check,
        expected: `${check} == 0`,
        actual: String(checks.counts[check]),
        pass: checks.counts[check] === 0,
      })),
    ];
    const verdict = gates.every((g) => g.pass) ? 'pass' : 'fail';
    const name = options.name ?? 'db-outage';
    const kind = options.kind ?? 'chaos';
    const seed = options.seed ?? 7;
    const description = options.description ?? 'SurrealDB unreachable for 10 s mid-run; events buffer and flush on recovery.';
    const faultSpecs = faults.map(([fname, start, end]) => ({
      at: start,
      do: fname,
      ...(end > start ? { for: end - start } : {}),
      ...(fname === 'db.outage' ? { mode: 'refuse' } : {}),
    }));
    // The runner's journal type: if its shape changes, this fixture stops compiling.
    const journal: RunJournal = {
      version: 1,
      scenario: {
        name,
        kind,
        file: `scenarios/${kind}/${name}.yaml`,
        description,
        resolved: {
          name,
          kind,
          description,
          seed,
          profile: 'ci',
          workload: [{ beads, rate }],
          faults: faultSpecs,
          thresholds: Object.fromEntries(Object.entries(thresholds).map(([k, v]) => [k, parseThreshold(k, v)])),
        },
      },
      profile: 'ci',
      seed,
      versions: { node: process.version, oya: '0.1.0', surrealdb: { sdk: '2.0.8', engine: '3.0.3' } },
      gitSha: '71986b6f00d1c0ffee0000000000000000000000',
      host: { platform: 'linux', arch: 'x64', cpus: 2 },
      startedAt: new Date(RUN_START_EPOCH).toISOString(),
      zeroAt: new Date(RUN_START_EPOCH).toISOString(),
      endedAt: new Date(RUN_START_EPOCH + endMs + 1200).toISOString(),
      durationMs: endMs + 1200,
      verdict,
      phases: [
        { name: 'environment', ms: 850 },
        { name: 'orchestrator', ms: 400 },
        { name: 'workload', ms: (beads * 1000) / rate },
        { name: 'drain', ms: Math.max(0, endMs - (beads * 1000) / rate) },
      ],
      faults: faults.map(([fname, start, end], i) => ({
        index: i,
        do: fname,
        spec: faultSpecs[i],
        plannedAt: start,
        startedAt: start + 3,
        healedAt: end + 5,
        recoveryMs: metricsJson.recoveries[i]?.ms,
        details: fname === 'db.outage' ? { proxy: 'surreal', toxic: 'down' } : { pid: 4242 },
      })),
      metrics: {
        ...metricsJson,
        arrivals: beads,
        dropped: 0,
        memory: Array.from({ length: Math.ceil(endMs / 5000) + 1 }, (_, k) => ({
          t: k * 5000,
          rss: (80 + k * 0.4 + random()) * 2 ** 20,
          heap: (30 + k * 0.2 + random()) * 2 ** 20,
        })),
        windows: { faultIntervals: faults.map(([, a, b]) => [a, b]), endAt: endMs },
      },
      checks,
      gates,
      teardown: [],
      artifacts: { orchestratorLog: `reports/${kind}/${name}.orchestrator.log` },
      history: history.toJSON(),
    };
    return JSON.parse(JSON.stringify(journal)) as Record<string, unknown>;
  } finally {
    metrics.destroy();
  }
}
