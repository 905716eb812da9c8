/**
 * PID 1 of `oya/toxiproxy:local`: takes `toxiproxy-server`'s Go-style flags (the official image's
 * command line, e.g. `-host=0.0.0.0 -seed=7`) and runs `oya toxiproxy` in this process.
 */
import { command } from '../../cli/commands/toxiproxy.ts';
import { toxiproxyArgv } from './args.ts';

try {
  process.exitCode = await command.run(toxiproxyArgv(process.argv.slice(2)));
} catch (err) {
  const code = (err as { code?: string }).code;
  process.stderr.write(`oya/toxiproxy: ${code ? `${code} ` : ''}${(err as Error).message}\n`);
  process.exitCode = code === 'HARN_CLI_USAGE' ? 2 : 1;
}
