/**
 * Process control for docker nodes: pause and resume through the engine (`docker pause`, the
 * cgroup freezer of the whole container); the node's processes are found and killed from its
 * control sidecar, which shares the node's pid and network namespaces, so this works even while
 * the node container is paused (exec into a paused container is refused by the engine).
 */
import type Docker from 'dockerode';
import type { NodeControl } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { CommandError } from '../../control/run.ts';
import { engineMessage } from '../../control/docker.ts';
import { HostNodeControl } from '../ssh/host-control.ts';

const KILL_WAIT_MS = 10_000;

export class DockerNodeControl implements NodeControl {
  readonly pauseMechanism = 'docker pause (cgroup freezer)';
  readonly #docker: Docker;
  readonly #container: (node: string) => string;
  readonly #procs: HostNodeControl;

  /** `ctl(node)` is the Remote of the node's control sidecar. */
  constructor(docker: Docker, prefix: string, container: (node: string) => string, ctl: (node: string) => Remote) {
    this.#docker = docker;
    this.#container = container;
    this.#procs = new HostNodeControl(prefix, ctl);
  }

  async #state(node: string): Promise<{ Paused: boolean; Running: boolean }> {
    return (await this.#docker.getContainer(this.#container(node)).inspect()).State;
  }

  async freeze(node: string): Promise<void> {
    const c = this.#docker.getContainer(this.#container(node));
    if ((await this.#state(node)).Paused) return;
    await c.pause().catch((e: unknown) => {
      throw new CommandError(`${node}: docker pause failed: ${engineMessage(e)}`, undefined, { cause: e });
    });
  }

  async thaw(node: string): Promise<void> {
    const c = this.#docker.getContainer(this.#container(node));
    if (!(await this.#state(node)).Paused) return;
    await c.unpause().catch((e: unknown) => {
      throw new CommandError(`${node}: docker unpause failed: ${engineMessage(e)}`, undefined, { cause: e });
    });
  }

  pids(node: string): Promise<number[]> {
    return this.#procs.pids(node);
  }

  /**
   * SIGKILLs the node's marked processes (the container itself, its address and fault rules stay)
   * and waits until they are gone; a paused node is resumed after the kill so the kill lands.
   */
  async killAll(node: string): Promise<void> {
    await this.#procs.killAll(node);
    await this.thaw(node);
    const deadline = Date.now() + KILL_WAIT_MS;
    while ((await this.#procs.pids(node)).length > 0) {
      if (Date.now() > deadline) throw new CommandError(`${node}: processes still alive ${KILL_WAIT_MS} ms after SIGKILL`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
