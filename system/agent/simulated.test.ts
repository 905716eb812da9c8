import { createHash } from 'node:crypto';
import { mkdtemp, rm, readdir, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../errors.ts';
import { parseDurationMs, resolveAgentInput } from './input.ts';
import { createSideEffectLog, findDoubleApplied, readSideEffects } from './side-effects.ts';
import { runSimulatedAgent, stateFor, type AgentEvent } from './simulated.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-agent-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(input: unknown, extra: Partial<Parameters<typeof runSimulatedAgent>[0]> = {}) {
  const events: AgentEvent[] = [];
  const result = await runSimulatedAgent({
    beadId: 'b1',
    input,
    seed: 42,
    sideEffects: createSideEffectLog(dir),
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { result, events };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('simulated agent', () => {
  it('is deterministic: same input and seed give the same checkpoints and result', async () => {
    const a = await run({ steps: 4, output: { ok: 1 }, payloadBytes: 100 });
    const b = await run({ steps: 4, output: { ok: 1 }, payloadBytes: 100 });
    expect(a.events).toEqual(b.events);
    expect(a.result).toEqual(b.result);
    expect(a.result.payload).toHaveLength(100);
    expect(a.result.output).toEqual({ ok: 1 });
    const checkpoints = a.events.filter((e) => e.type === 'checkpoint');
    expect(checkpoints).toEqual([1, 2, 3, 4].map((step) => ({ type: 'checkpoint', step, state: stateFor(42, step) })));
    expect(new Set(checkpoints.map((c) => c.state)).size).toBe(4);
    const other = await runSimulatedAgent({ beadId: 'b1', input: { steps: 4 }, seed: 43, sideEffects: createSideEffectLog(dir) });
    expect(other.state).not.toBe(a.result.state);
  });

  it('applies one side effect per step, recording every application', async () => {
    await run({ steps: 3 });
    const records = await readSideEffects(dir);
    expect(records.map((r) => r.key)).toEqual(['b1:1', 'b1:2', 'b1:3']);
    expect(records[0]).toMatchObject({ beadId: 'b1', step: 1, attempt: 1, pid: process.pid });
    expect(findDoubleApplied(records)).toEqual([]);
    await run({ steps: 1 }, { attempt: 2 });
    const doubled = findDoubleApplied(await readSideEffects(dir));
    expect(doubled).toHaveLength(1);
    expect(doubled[0]).toMatchObject({ key: 'b1:1', count: 2 });
  });

  it('resumes after a checkpoint, skipping finished steps, and ends like an uninterrupted run', async () => {
    const full = await run({ steps: 5 });
    await rm(dir, { recursive: true, force: true });
    const resumed = await run({ steps: 5 }, { fromCheckpoint: { step: 3, state: stateFor(42, 3) } });
    expect(resumed.result.executedSteps).toEqual([4, 5]);
    expect(resumed.result.resumedFrom).toBe(3);
    expect(resumed.result.state).toBe(full.result.state);
    expect(resumed.events.filter((e) => e.type === 'step.started').map((e) => e.step)).toEqual([4, 5]);
    expect((await readSideEffects(dir)).map((r) => r.step)).toEqual([4, 5]);
  });

  it('resumes from a checkpoint written by an older Oya (its sha256 state) and ends on the current states', async () => {
    const full = await run({ steps: 5 });
    await rm(dir, { recursive: true, force: true });
    // The state as Oya wrote it before FNV-1a: the first 16 hex digits of sha256("oya-sim:42:3").
    const legacy = createHash('sha256').update('oya-sim:42:3').digest('hex').slice(0, 16);
    expect(legacy).not.toBe(stateFor(42, 3));
    const resumed = await run({ steps: 5 }, { fromCheckpoint: { step: 3, state: legacy } });
    expect(resumed.result.executedSteps).toEqual([4, 5]);
    expect(resumed.result.state).toBe(full.result.state);
  });

  it('records each side effect with an ISO timestamp of when it was applied', async () => {
    const before = Date.now();
    await run({ steps: 2 });
    const records = await readSideEffects(dir);
    for (const record of records) {
      expect(record.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(record.at)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(record.at)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('rejects a checkpoint that does not belong to the seed', async () => {
    const err = await rejectionOf(run({ steps: 5 }, { fromCheckpoint: { step: 2, state: 'nope' } }));
    expect(hasCode(err, 'ORCH_AGENT_CHECKPOINT_MISMATCH')).toBe(true);
  });

  it('failAt fails the step before its side effect; failTimes lets later attempts succeed', async () => {
    const first = await rejectionOf(run({ steps: 3, failAt: 2, failTimes: 2 }, { attempt: 1 }));
    expect(hasCode(first, 'ORCH_AGENT_STEP_FAILED')).toBe(true);
    expect((first as { retryable: boolean }).retryable).toBe(true);
    expect((await readSideEffects(dir)).map((r) => r.step)).toEqual([1]);
    await expect(run({ steps: 3, failAt: 2, failTimes: 2 }, { attempt: 2 })).rejects.toMatchObject({ code: 'ORCH_AGENT_STEP_FAILED' });
    const third = await run({ steps: 3, failAt: 2, failTimes: 2 }, { attempt: 3 });
    expect(third.result.executedSteps).toEqual([1, 2, 3]);
    await expect(run({ steps: 3, failAt: 1, failRetryable: false }, { attempt: 9 })).rejects.toMatchObject({
      code: 'ORCH_AGENT_STEP_FAILED',
      retryable: false,
    });
  });

  it('hangAt never finishes the step until aborted, and applies no side effect for it', async () => {
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    const pending = runSimulatedAgent({
      beadId: 'h',
      input: { steps: 3, hangAt: 2 },
      seed: 1,
      signal: controller.signal,
      sideEffects: createSideEffectLog(dir),
      onEvent: (e) => events.push(e),
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(events.at(-1)).toEqual({ type: 'step.started', step: 2, attempt: 1 });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ORCH_AGENT_ABORTED', retryable: true });
    expect((await readSideEffects(dir)).map((r) => r.step)).toEqual([1]);
  });

  it('crashAt calls the crash hook (or throws) before the side effect, within crashTimes', async () => {
    const crashed: number[] = [];
    const err = await rejectionOf(run({ steps: 3, crashAt: 2, crashTimes: 1 }, { onCrash: (s) => void crashed.push(s) }));
    expect(crashed).toEqual([2]);
    expect(hasCode(err, 'ORCH_AGENT_CRASHED')).toBe(true);
    expect((await readSideEffects(dir)).map((r) => r.step)).toEqual([1]);
    const retried = await run({ steps: 3, crashAt: 2, crashTimes: 1 }, { attempt: 2 });
    expect(retried.result.executedSteps).toEqual([1, 2, 3]);
  });

  it('uses slowSteps and stepTime durations', async () => {
    const started = performance.now();
    await run({ steps: 3, stepTime: '10ms', slowSteps: { 2: '150ms' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(165);
  });

  it('names the bad field of an invalid input', () => {
    expect(() => resolveAgentInput({ steps: 2, stepTime: 'soon' })).toThrow(/stepTime/);
    expect(() => resolveAgentInput({ steps: 2, typo: true })).toThrow(expect.objectContaining({ code: 'ORCH_AGENT_INVALID_INPUT' }));
    expect(() => resolveAgentInput({ failAt: 0 })).toThrow(/failAt/);
    expect(() => resolveAgentInput({ steps: 1.5 })).toThrow(/steps/);
    expect(() => resolveAgentInput({ failRetryable: 'no' })).toThrow(/failRetryable/);
    expect(() => resolveAgentInput({ slowSteps: { x: 5 } })).toThrow(/slowSteps\.x/);
    expect(() => resolveAgentInput({ slowSteps: { 2: '1 hour' } })).toThrow(/slowSteps\.2/);
    expect(() => resolveAgentInput('steps')).toThrow(/root/);
    expect(resolveAgentInput(undefined)).toMatchObject({ steps: 5, stepTimeMs: 0, failRetryable: true });
    expect(resolveAgentInput({ stepTime: '1s', slowSteps: { 3: 20 }, crashAt: 2 })).toEqual({
      steps: 5,
      stepTimeMs: 1000,
      failRetryable: true,
      slowStepsMs: { 3: 20 },
      crashAt: 2,
    });
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs(250)).toBe(250);
    expect(parseDurationMs('x')).toBeUndefined();
  });

  it('readSideEffects skips a torn last line left by a killed writer', async () => {
    await run({ steps: 2 });
    await appendFile(join(dir, 'side-effects-999999.jsonl'), '{"key":"b1:3","be');
    expect(await readdir(dir)).toHaveLength(2);
    expect((await readSideEffects(dir)).map((r) => r.key)).toEqual(['b1:1', 'b1:2']);
    expect(await readSideEffects(join(dir, 'missing'))).toEqual([]);
  });
});
