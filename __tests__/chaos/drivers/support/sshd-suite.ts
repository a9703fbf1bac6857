/**
 * One real sshd (a {@link TestSshd}) shared by the tests of an SSH driver test file. The bindings
 * below are set when it has started: import them, and call {@link useTestSshd} in the describe
 * whose tests use them. Each test file has its own module registry, so its own sshd.
 */
import type { PlatformOutputs } from '../../../../contract/outputs';
import { testOutputs } from './outputs';
import { STARTED_AT, TestSshd } from './test-sshd';

/** The one api container the fake `docker ps` lists before each test. */
export const API_ID = '0123456789ab';

export let sshd: TestSshd;
/** The local target's outputs, pointing at the sshd. */
export let outputs: PlatformOutputs;
/** The client key and a known_hosts naming the sshd's host key, as fault arguments. */
export let keys: { privateKey: string; knownHosts: string };

/** Starts the sshd before the tests and stops it after; resets the fake docker before each test. */
export function useTestSshd(): void {
  beforeAll(async () => {
    sshd = await TestSshd.start();
    outputs = testOutputs({ sshHost: '127.0.0.1', sshPort: sshd.port, sshUser: sshd.user });
    keys = { privateKey: sshd.privateKey, knownHosts: sshd.knownHosts };
  });
  afterAll(async () => sshd.stop());
  // A test that froze the sshd (or left docker hanging) leaves it answering for the next.
  afterEach(async () => sshd.thaw());
  beforeEach(async () => {
    await sshd.dockerCalls();
    await sshd.dockerExit(null);
    await sshd.dockerDelay(null);
    await sshd.startedAt(STARTED_AT);
    await sshd.psOutput([`${API_ID} platform-test-api.1.x7fj2k3l4m5n6o7p8q9r0s1t2`]);
  });
}
