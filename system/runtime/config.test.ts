import { describe, expect, it } from 'vitest';
import { ConfigInvalidError, resolveOrchestratorOptions } from './config.ts';

describe('resolveOrchestratorOptions', () => {
  it('fills the documented defaults and freezes the result', () => {
    const o = resolveOrchestratorOptions({}, {});
    expect(o).toMatchObject({ host: '127.0.0.1', port: 8080, workers: 20, admin: false, reconcileTickMs: 1000, defects: [] });
    expect(o.dataDir.endsWith('/data')).toBe(true);
    expect(Object.isFrozen(o)).toBe(true);
    expect(o.dbUrl).toBeUndefined();
  });

  it('takes OYA_* variables, and explicit options over them', () => {
    const o = resolveOrchestratorOptions({ port: 9000 }, { OYA_PORT: '7000', OYA_WORKERS: '3', OYA_DEFECTS: 'drop-event, leak' });
    expect(o.port).toBe(9000);
    expect(o.workers).toBe(3);
    expect(o.defects).toEqual(['drop-event', 'leak']);
  });

  it('normalises a remote database URL to its /rpc endpoint', () => {
    expect(resolveOrchestratorOptions({ db: 'ws://127.0.0.1:8000' }, {}).dbUrl).toBe('ws://127.0.0.1:8000/rpc');
    expect(resolveOrchestratorOptions({ db: 'ws://127.0.0.1:8000/rpc' }, {}).dbUrl).toBe('ws://127.0.0.1:8000/rpc');
  });

  it('generates an admin token only when admin is on', () => {
    expect(resolveOrchestratorOptions({ admin: true }, {}).adminToken).toMatch(/^[0-9a-f]{48}$/);
    expect(resolveOrchestratorOptions({}, {}).adminToken).toBeUndefined();
  });

  it('names every bad field at once', () => {
    let err: unknown;
    try {
      resolveOrchestratorOptions({ port: 70000, workers: 0, db: 'http://x' }, { OYA_DEFECTS: 'nope' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as ConfigInvalidError).code).toBe('ORCH_CONFIG_INVALID');
    const fields = ((err as ConfigInvalidError).details.issues as { field: string }[]).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['port', 'workers', 'db', 'defects.0']));
  });

  it('rejects unknown options', () => {
    expect(() => resolveOrchestratorOptions({ wrokers: 3 } as Parameters<typeof resolveOrchestratorOptions>[0], {})).toThrow(/wrokers|Unrecognized/);
  });

  it('rejects a non-numeric port from the environment with the field name', () => {
    expect(() => resolveOrchestratorOptions({}, { OYA_PORT: 'eighty' })).toThrow(/port/);
  });
});
