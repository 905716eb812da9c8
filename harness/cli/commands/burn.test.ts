import { describe, expect, it, vi } from 'vitest';
import { CliUsageError } from '../errors.ts';
import { command } from './burn.ts';

describe('oya burn', () => {
  it('burns the cores it was given for --for, then exits 0', async () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const before = process.cpuUsage();
    try {
      expect(await command.run(['--cores', '1', '--for', '1500ms'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1e6).toBeGreaterThan(0.1);
    expect(out.join('')).toMatch(/^burning 1 core\(s\) for 1500ms \(pid \d+\)\nburn stopped \(duration\)\n$/);
  });

  it('refuses a missing or bad --cores and a bad --for', async () => {
    await expect(command.run([])).rejects.toThrow(CliUsageError);
    await expect(command.run(['--cores', '0'])).rejects.toThrow(/cores/);
    await expect(command.run(['--cores', 'two'])).rejects.toThrow(/cores/);
    await expect(command.run(['--cores', '1', '--for', 'soon'])).rejects.toThrow(/--for takes a duration/);
  });
});
