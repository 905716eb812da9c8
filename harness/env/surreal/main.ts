/**
 * Process entry for a spawned embedded server: `tsx harness/env/surreal/main.ts [oya surreal flags]`.
 * spawnSurrealServer uses it so the harness does not depend on harness/cli/main.ts.
 */
import { command } from '../../cli/commands/surreal.ts';

try {
  process.exitCode = await command.run(process.argv.slice(2));
} catch (err) {
  const code = (err as { code?: string }).code;
  process.stderr.write(`oya surreal: ${code ? `${code} ` : ''}${(err as Error).message}\n`);
  process.exitCode = code === 'HARN_CLI_USAGE' ? 2 : 1;
}
