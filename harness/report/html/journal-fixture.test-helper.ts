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
import { mulberry32 } from '../../metrics/arrival.ts';
import { RunMetrics } from '../../metrics/run-metrics.ts';
import { evaluateThreshold, parseThreshold } from '../../scenario/threshold-grammar.ts';

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
}

const RUN_START_EPOCH = Date.parse('2026-11-26T17:00:00.000Z');

/** Builds a journal object in the runner's shape (JSON-safe: round-trips through JSON.stringify). */
export function buildJournal(options: JournalFixtureOptions = {}): Record<string, unknown> {
  const beads = options.beads ?? 240;
  const rate = options.rate ?? 4;
  const faults = options.faults ?? [['db.outage', 15_000, 25_000], ['agent.crash', 40_000, 40_000]];
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
        events.push({ stream: `bead:${id}`, seq: seq + 1, type, data: type === 'BeadSubmitted' ? { beadId: id, idempotencyKey: `bead:${id}` } : { step: seq - 2 } }),
      );
      for (let step = 0; step < 2; step++) sideEffects.push({ key: `${id}:${step}`, beadId: id, step, attempt: 1, pid: 1000, at: completedAt });
    }
    for (const [name, , end] of faults) if (end > 0) metrics.recordRecovery(name, 900 + random() * 1500);
    if (options.violations ?? true) {
      sideEffects.push({ key: 'b3:1', beadId: 'b3', step: 1, attempt: 2, pid: 1001, at: 17_000 });
      const gapIndex = events.findIndex((e) => e.stream === 'bead:b5' && e.seq === 4);
      events.splice(gapIndex, 1);
    }
    const logBeads = Object.fromEntries(Object.entries(finalBeads).map(([id, s]) => [id, { ...s }]));
    const checks = runChecks({ history, finalBeads, logBeads, events, sideEffects, expectations: { completed: 'all' } });
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
    const gates = [
      ...Object.entries(thresholds).map(([key, condition]) => ({ key, source: condition, ...evaluateThreshold(parseThreshold(key, condition), actualOf(key)) })),
      ...(['lost', 'duplicated', 'eventGaps', 'doubleSideEffects'] as const).map((check) => ({
        key: `expect.${check}`,
        source: '0',
        expected: `${check} == 0`,
        actual: String(checks.counts[check]),
        pass: checks.counts[check] === 0,
      })),
    ];
    const verdict = gates.every((g) => g.pass) ? 'pass' : 'fail';
    const name = options.name ?? 'db-outage';
    const kind = options.kind ?? 'chaos';
    return JSON.parse(
      JSON.stringify({
        schemaVersion: 1,
        scenario: {
          name,
          kind,
          description: options.description ?? 'SurrealDB unreachable for 10 s mid-run; events buffer and flush on recovery.',
          seed: options.seed ?? 7,
          profile: 'ci',
          thresholds,
          source: `name: ${name}\nkind: ${kind}\nseed: ${options.seed ?? 7}\nworkload:\n  - beads: ${beads}\n    rate: ${rate}/s\n`,
        },
        versions: { node: process.version, oya: '0.1.0', surrealdb: '2.0.8' },
        gitSha: '71986b6f00d1c0ffee0000000000000000000000',
        startedAt: new Date(RUN_START_EPOCH).toISOString(),
        endedAt: new Date(RUN_START_EPOCH + endMs + 1200).toISOString(),
        faults: faults.map(([fname, start, end], i) => ({
          name: fname,
          params: fname === 'db.outage' ? { mode: 'refuse', for: `${(end - start) / 1000}s` } : { target: 'random' },
          start,
          end,
          recoveryMs: metricsJson.recoveries[i]?.ms,
        })),
        events: [
          { at: 0, label: 'workload phase steady started' },
          { at: (beads * 1000) / rate, label: 'last submission sent' },
          { at: endMs, label: 'drain complete' },
        ],
        history: history.toJSON(),
        metrics: metricsJson,
        checks,
        gates,
        verdict,
      }),
    ) as Record<string, unknown>;
  } finally {
    metrics.destroy();
  }
}
