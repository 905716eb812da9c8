/** orchestrator.restart: SIGTERM (a graceful shutdown), then a restart on the same data. */
import { defineFault } from './kind.ts';

export default defineFault({
  do: 'orchestrator.restart',
  description: 'SIGTERM the orchestrator (graceful shutdown), then restart it.',
  params: {},
  async inject({ sut, details }) {
    details.pid = sut.pid;
    details.exit = await sut.stop();
  },
  async heal({ sut }, _state, aborting) {
    if (!aborting) await sut.restart();
  },
});
