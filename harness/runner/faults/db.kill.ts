/** db.kill: SIGKILL the DB server, restarted on the same data after `for` (at once without). */
import { defineFault, windowOptional } from './kind.ts';

export default defineFault({
  do: 'db.kill',
  description: 'SIGKILL the DB server; restart it after `for` (default at once).',
  needs: 'db.kill',
  params: { for: windowOptional },
  async inject({ env, details }) {
    details.pid = env.db.pid;
    await env.db.kill('SIGKILL');
  },
  async heal({ env }) {
    // Restarted even when the run is torn down: the checkers still read the DB afterwards.
    await env.db.restart();
  },
});
