import type { Fault } from '../../faults/types';
import { sshContainerRunning } from './container-running';
import { sshDockerKill } from './docker-kill';
import { sshDockerStop } from './docker-stop';
import { sshHttpGet } from './http-get';

/** The ssh driver's modules. */
export const sshFaults: readonly Fault[] = [sshDockerStop, sshDockerKill, sshContainerRunning, sshHttpGet];
