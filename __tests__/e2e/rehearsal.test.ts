/**
 * The local rehearsal end to end, for real: `rehearsal up` builds the three images and runs them
 * as swarm services behind an sshd; the outputs file is the `PlatformOutputs` contract; the proxy
 * serves the site and the API on loopback, as uid 101 with no capability but the one to bind its
 * port; `docker stop` over SSH (host key checked) is repaired by swarm with a new task; a second
 * `up` changes nothing; `down` leaves nothing running.
 *
 * Needs Docker (or root with docker.io to start one), openssh-server, openssh-client and
 * debootstrap. Missing tools fail the run under CI=true; elsewhere the tests are skipped, loudly.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { measureApiRecovery, containerOf } from '../../rehearsal/api-recovery';
import { ownEnginePid } from '../../rehearsal/docker-engine';
import { httpGet } from '../../rehearsal/http-check';
import { isRunning } from '../../rehearsal/processes';
import { readRehearsalState, type RehearsalState } from '../../rehearsal/rehearsal-state';
import { loadSettings, rehearsalFiles } from '../../rehearsal/settings';
import { run } from '../../rehearsal/command';
import { sshdPid, sshRun } from '../../rehearsal/sshd';
import { SERVICE_NAME_LABEL, STACK_LABEL } from '../../rehearsal/swarm';
import { findTool } from '../../rehearsal/tools';
import { parseOutputs } from '../../chaos/targets/outputs-reader';
import { platformOutputsSchema, type PlatformOutputs } from '../../contract/outputs';
import { SERVICE_NAMES, SERVICES, userIds } from '../../contract/services';
import { missingForRehearsal, REPO_ROOT, runRehearsal } from './support/rehearsal-cli';

const missing = missingForRehearsal();
const reason = `the rehearsal needs: ${missing.join(', ')}`;
if (missing.length > 0) {
  test('the machine has what the rehearsal needs', () => {
    throw new Error(`${reason} (\`npm run setup\`, as root, installs the packages)`);
  });
}
const describeWhenPossible = missing.length > 0 ? describe.skip : describe;

const settings = loadSettings(REPO_ROOT);
const files = rehearsalFiles(settings);

/** Processes whose command line names the rehearsal's state dir or sshd config: none after down. */
function rehearsalProcesses(): readonly string[] {
  const markers = [settings.stateDir, files.sshd.config];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && isRunning(Number(entry)))
    .map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
      } catch {
        return ''; // Gone between the listing and the read.
      }
    })
    .filter((line) => markers.some((marker) => line.includes(marker)));
}

describeWhenPossible('local rehearsal on a single-node swarm', () => {
  const ssh = findTool('ssh') ?? 'ssh';
  let up: { readonly outputs: PlatformOutputs; readonly state: RehearsalState } | undefined;
  let isDown = false;
  /** What `up` wrote; the tests after a failed `up` say so rather than fail on an undefined. */
  const rehearsal = (): NonNullable<typeof up> => {
    if (up === undefined) throw new Error('rehearsal up did not complete (see the first test)');
    return up;
  };

  afterAll(async () => {
    // Whatever failed above, nothing of the rehearsal may outlive the run.
    if (!isDown) await runRehearsal(['down']);
  });

  test('up brings the stack up and writes the outputs', async () => {
    const result = await runRehearsal(['up']);
    console.log(`rehearsal up: ${(result.ms / 1000).toFixed(1)} s`);
    expect(result.code).toBe(0);
  });

  test('the outputs file is the PlatformOutputs contract, and the chaos module reads it', () => {
    const text = readFileSync(files.outputs, 'utf8');
    const outputs = platformOutputsSchema.parse(JSON.parse(text));
    expect(parseOutputs(text, files.outputs).outputs).toEqual(outputs);
    expect(outputs).toMatchObject({
      target: 'local',
      environment: 'local',
      publicUrl: `http://127.0.0.1:${settings.proxyPort}`,
      sshHost: '127.0.0.1',
      sshPort: settings.sshPort,
    });
    const state = readRehearsalState(files.state);
    if (state === undefined) throw new Error(`${files.state} is missing`);
    expect(existsSync(state.ssh.privateKey) && existsSync(state.ssh.knownHosts)).toBe(true);
    up = { outputs, state };
  });

  test('the proxy serves the frontend and the API on 127.0.0.1', async () => {
    const { outputs } = rehearsal();
    const page = await httpGet(`${outputs.publicUrl}/`, { timeoutMs: 2000 });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<html/i);
    const status = await httpGet(`${outputs.publicUrl}/api/status`, { timeoutMs: 2000 });
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ service: 'api', task: { source: 'env' } });
  });

  test(`the proxy runs as uid:gid ${SERVICES.proxy.user} with NET_BIND_SERVICE alone, and listens on 127.0.0.1:${settings.proxyPort} as that user`, async () => {
    const { outputs, state } = rehearsal();
    const env = { DOCKER_HOST: state.dockerHost };
    const { uid, gid } = userIds(SERVICES.proxy.user);
    const id = await run('docker', ['ps', '-q', '--filter', `label=${SERVICE_NAME_LABEL}=${outputs.services.proxy.serviceName}`], { env });
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    // What swarm gave the container: the stack file's user and capabilities (CAP_ prefixed or not).
    const [user = '', capAdd = '', capDrop = ''] = (
      await run('docker', ['inspect', '--format', '{{.Config.User}}|{{json .HostConfig.CapAdd}}|{{json .HostConfig.CapDrop}}', id], { env })
    ).split('|');
    const names = (json: string) => (JSON.parse(json) as string[]).map((c) => c.replace(/^CAP_/, ''));
    expect({ user, add: names(capAdd), drop: names(capDrop) }).toEqual({
      user: SERVICES.proxy.user,
      add: ['NET_BIND_SERVICE'],
      drop: ['ALL'],
    });

    // Every process of the container, as the host's process table has them.
    const top = (await run('docker', ['top', id, '-eo', 'uid,gid,pid,args'], { env })).split('\n').slice(1);
    const processes = top.map((line) => {
      const [u = '', g = '', pid = '', ...args] = line.trim().split(/\s+/);
      return { uid: Number(u), gid: Number(g), pid: Number(pid), args: args.join(' ') };
    });
    expect(processes.map((p) => p.args)).toEqual(
      expect.arrayContaining([expect.stringMatching(/entrypoint\.sh/), expect.stringMatching(/^nginx: master/)]),
    );
    for (const p of processes) expect({ args: p.args, uid: p.uid, gid: p.gid }).toEqual({ args: p.args, uid, gid });

    // The listener on the host: owned by that uid, held by the container's nginx, which alone has the capability.
    const listening = (await run(findTool('ss') ?? 'ss', ['-Hltnpe', `sport = :${settings.proxyPort}`])).split('\n');
    const proxyListener = listening.find((line) => line.includes(`127.0.0.1:${settings.proxyPort} `));
    expect(proxyListener).toMatch(new RegExp(` uid:${uid} `));
    const pids = [...(proxyListener ?? '').matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(processes.map((p) => p.pid)).toContain(pid);
    const master = processes.find((p) => p.args.startsWith('nginx: master'));
    const status = readFileSync(`/proc/${master?.pid ?? 0}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\t${uid}\\t${uid}\\t${uid}\\t${uid}$`, 'm'));
    expect(status).toMatch(/^CapEff:\t0000000000000400$/m);

    // And the site answers there.
    const health = await httpGet(`http://127.0.0.1:${settings.proxyPort}/healthz`, { timeoutMs: 2000 });
    expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: 'ok\n' });
    console.log(
      `proxy container ${id}: ${processes.length} processes as ${uid}:${gid}, listener on 127.0.0.1:${settings.proxyPort} pids ${pids.join(',')}`,
    );
  });

  test('ssh with host key checking reaches the engine and sees each service container', async () => {
    const { outputs, state } = rehearsal();
    for (const service of SERVICE_NAMES) {
      await expect(containerOf(ssh, state.ssh, outputs.services[service].serviceName)).resolves.toMatch(/^[0-9a-f]{12}$/);
    }
    // Checking is on: the same call with a known_hosts that lacks the key is refused.
    await expect(sshRun(ssh, { ...state.ssh, knownHosts: '/dev/null' }, ['true'])).rejects.toThrow(/Host key verification failed/);
  });

  test('docker stop of the api over ssh: swarm starts a new task and a new instance answers within seconds', async () => {
    const { outputs, state } = rehearsal();
    const recovery = await measureApiRecovery(ssh, state.ssh, outputs);
    console.log(
      `api docker stop -> new instance through the proxy: ${recovery.recoverMs} ms (docker stop over ssh ${recovery.stopMs} ms); ` +
        `frontend ${recovery.frontend.ok}/${recovery.frontend.total} answered meanwhile`,
    );
    expect(recovery.newContainer).not.toBe(recovery.stoppedContainer);
    expect(recovery.newInstance).not.toBe(recovery.oldInstance);
    expect(recovery.recoverMs).toBeLessThan(10_000);
    expect(recovery.frontend.ok).toBe(recovery.frontend.total);
  });

  test('a second up is idempotent: fast, and no task replaced', async () => {
    const { outputs, state } = rehearsal();
    const before = await Promise.all(SERVICE_NAMES.map((s) => containerOf(ssh, state.ssh, outputs.services[s].serviceName)));
    const result = await runRehearsal(['up']);
    console.log(`second rehearsal up: ${(result.ms / 1000).toFixed(1)} s`);
    expect(result.code).toBe(0);
    const after = await Promise.all(SERVICE_NAMES.map((s) => containerOf(ssh, state.ssh, outputs.services[s].serviceName)));
    expect(after).toEqual(before);
    expect(JSON.parse(readFileSync(files.outputs, 'utf8'))).toEqual(outputs);
    expect(result.ms).toBeLessThan(60_000);
  });

  test('down leaves no dockerd, sshd or service running', async () => {
    const result = await runRehearsal(['down']);
    isDown = result.code === 0;
    expect(result.code).toBe(0);
    expect(ownEnginePid(settings)).toBeUndefined();
    expect(sshdPid(settings)).toBeUndefined();
    expect(rehearsalProcesses()).toEqual([]);
    expect(existsSync(files.outputs)).toBe(false);
    const state = up?.state;
    if (state !== undefined && !state.ownEngine) {
      // A machine's own engine keeps running: no container of the stack may be left on it.
      const left = await run('docker', ['ps', '-aq', '--filter', `label=${STACK_LABEL}=${state.stackName}`], {
        env: { DOCKER_HOST: state.dockerHost },
      });
      expect(left).toBe('');
    }
  });
});
