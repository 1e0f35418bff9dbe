/**
 * Shared pieces of the docker-provider tests: the engine gate (locally the tests skip with a
 * reason when no engine answers or the node image is missing; under CI=true they fail instead,
 * because CI starts the engine and builds the image first) and the leftover check by label.
 */
import { DEFAULT_DOCKER_IMAGE, dockerClient, requireEngine, requireImage } from '../../src/providers/docker/provider.ts';

export const CI = process.env['CI'] === 'true';

async function engineProblem(): Promise<string | undefined> {
  const docker = dockerClient();
  try {
    await requireEngine(docker);
    await requireImage(docker, DEFAULT_DOCKER_IMAGE);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Why the docker tests cannot run here, or undefined when they can. */
export const ENGINE_PROBLEM = await engineProblem();
/** Skip only outside CI; in CI a missing engine or image fails the tests. */
export const SKIP = ENGINE_PROBLEM !== undefined && !CI;
export const GATE = ENGINE_PROBLEM === undefined ? 'engine and image present' : `${ENGINE_PROBLEM}${CI ? '' : '; skipped'}`;
if (SKIP) console.warn(`docker-provider tests skipped: ${ENGINE_PROBLEM}`);

/** Fails (in CI) when the engine or image is missing; call first in beforeAll. */
export function requireDocker(): void {
  if (ENGINE_PROBLEM !== undefined) throw new Error(`docker-provider tests cannot run: ${ENGINE_PROBLEM}`);
}
