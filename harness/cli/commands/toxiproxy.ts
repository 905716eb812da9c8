/**
 * `oya toxiproxy` — runs the embedded Toxiproxy-compatible server (harness/env/toxiproxy) in the
 * foreground, like `toxiproxy-server`: the same API on the same default port, so the stock clients
 * and toxiproxy-cli work against it. SIGINT/SIGTERM close it and the command exits 0.
 */
import type { CliCommand } from '../command.ts';
import { integerFlag, parseFlags } from '../flags.ts';
import { startToxiproxyServer } from '../../env/toxiproxy/index.ts';

const HELP = `Usage: oya toxiproxy [--host HOST] [--port PORT] [--seed N] [--config FILE]

Runs the embedded Toxiproxy 2.12-compatible server (HTTP API + TCP proxies + all toxics).

Flags:
  --host HOST     API address to bind (default 127.0.0.1)
  --port PORT     API port; 0 picks a free one (default 8474)
  --seed N        seed for jitter, toxicity and slicer randomness, so a run replays
                  (the real toxiproxy-server ignores -seed)
  --config FILE   JSON array of proxies, as POST /populate, created at start
  -h, --help      this text

Examples:
  oya toxiproxy
  oya toxiproxy --port 0 --seed 7 --config proxies.json
`;

export const command: CliCommand = {
  name: 'toxiproxy',
  summary: 'Run the embedded Toxiproxy-compatible fault proxy (API on 127.0.0.1:8474)',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags('toxiproxy', argv, {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8474' },
      seed: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const server = await startToxiproxyServer({
      host: values.host,
      port: integerFlag('port', values.port, { min: 0, max: 65535 })!,
      seed: integerFlag('seed', values.seed, { min: 0, max: 2 ** 32 - 1 }),
      configFile: values.config,
    });
    process.stdout.write(`toxiproxy API listening on ${server.url}${values.seed === undefined ? '' : ` (seed ${values.seed})`}\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const stop = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(sig);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    process.stdout.write(`toxiproxy stopped (${signal})\n`);
    return 0;
  },
};
