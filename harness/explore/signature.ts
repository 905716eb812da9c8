/**
 * How a run failed, as explore compares it: "the same way" means the same verdict and the same
 * failing gate names (`expect.lifecycle`, `drain.drained`…) — or, for a run that could not be
 * judged, the same error code and phase. A shrink keeps only candidates with an equal signature,
 * so it never trades the bug it found for a different one.
 */
import type { GateResult } from '../runner/gates.ts';

/** A run's outcome in explore's terms. */
export interface Signature {
  verdict: 'pass' | 'fail' | 'error';
  /** `fail`: the failing gate names, sorted. `error`: `[<code>@<phase>]`. `pass`: empty. */
  failing: string[];
}

/** What explore reads of a run result (runner/run.ts RunResult). */
export interface RunOutcome {
  verdict: 'pass' | 'fail' | 'error';
  gates: readonly GateResult[];
  journal: { error?: { code?: string; message?: string; phase?: string | undefined } };
}

/** The signature of a finished run. */
export function signatureOf(result: RunOutcome): Signature {
  if (result.verdict === 'error') return { verdict: 'error', failing: [`${result.journal.error?.code ?? 'error'}@${result.journal.error?.phase ?? '?'}`] };
  if (result.verdict === 'fail')
    return {
      verdict: 'fail',
      failing: result.gates
        .filter((g) => !g.pass)
        .map((g) => g.name)
        .sort(),
    };
  return { verdict: 'pass', failing: [] };
}

/** True when both failed (or broke) the same way. */
export function sameFailure(a: Signature, b: Signature): boolean {
  return a.verdict !== 'pass' && a.verdict === b.verdict && a.failing.length === b.failing.length && a.failing.every((name, i) => name === b.failing[i]);
}

/** `fail: expect.doubleSideEffects, expect.lifecycle` / `error: HARN_RUNNER_TIMEOUT@drain` / `pass`. */
export function formatSignature(s: Signature): string {
  return s.verdict === 'pass' ? 'pass' : `${s.verdict}: ${s.failing.join(', ')}`;
}

/** One line saying why: the first failing gate's actual value (or the error message), bounded. */
export function reasonOf(result: RunOutcome, max = 200): string {
  const gate = result.gates.find((g) => !g.pass);
  const text =
    result.verdict === 'error'
      ? (result.journal.error?.message ?? 'the run broke')
      : gate
        ? `${gate.name}: expected ${gate.expected}, actual ${gate.actual}`
        : 'passed';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
