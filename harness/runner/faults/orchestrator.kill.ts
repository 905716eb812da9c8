/** orchestrator.kill: SIGKILL the orchestrator (its whole process group), restarted after `for`. */
import { defineFault, windowOptional } from './kind.ts';

export default defineFault({
  do: 'orchestrator.kill',
  description: 'SIGKILL the orchestrator, then restart it after `for` (default at once).',
  params: { for: windowOptional },
  async inject({ sut, details }) {
    details.pid = sut.pid;
    await sut.kill();
  },
  async heal({ sut }, _state, aborting) {
    if (!aborting) await sut.restart();
  },
});
