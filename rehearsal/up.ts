import { mkdirSync } from 'node:fs';
import { SERVICE_NAMES, type ServiceName } from '../contract/services';
import { proxySite, stageAcme } from './acme';
import { baseImagesOf, ensureBaseImages } from './base-images';
import { ensureCertificateVolume } from './certificate-volume';
import { ensureEngine, writeRestartScript } from './docker-engine';
import { PrerequisiteError, StepFailedError } from './errors';
import { portInUse } from './http-check';
import { API_IMAGE_MAX_BYTES, buildImages, readDockerfiles } from './images';
import { localOutputs, writeOutputs } from './outputs';
import { Progress } from './progress';
import { readRehearsalState, writeRehearsalState } from './rehearsal-state';
import { rehearsalFiles, STACK_NAME, type RehearsalSettings } from './settings';
import { sshArgs, ensureSshd, sshRun } from './sshd';
import { rehearsalCopies, stackFile } from './stack-file';
import { deployStack, ensureSwarm, STACK_LABEL, stackServices, waitForStack } from './swarm';
import { requireTools, TOOLS } from './tools';
import { checkBalancerPorts, checkSameShape, ensureFleet, ensureStandIns, requireFleetTools, waitForFleet } from './fleet';
import { LB_HEALTH, waitForTargetsInService } from './lb-health';
import { ensureSystemPackages, missingPackages, processSetupEnvironment, SetupError } from '../setup/install';

/** Convergence takes ~3 s here (first health checks 2 s apart); generous for a loaded CI machine. */
const CONVERGE_TIMEOUT_MS = 180_000;

/** The ports the stack listens on, each with the service that owns it. */
function stackPorts(settings: RehearsalSettings): readonly (readonly [ServiceName, number])[] {
  const ports = rehearsalCopies().map((copy): readonly [ServiceName, number] => [
    copy.service,
    copy.service === 'proxy' ? settings.proxyPort : copy.port,
  ]);
  return settings.acme === undefined ? ports : [...ports, ['proxy', settings.acme.httpsPort]];
}

/**
 * The packages the rehearsal needs (setup/system-packages.ts), installed when root with apt-get;
 * otherwise a `PrerequisiteError` with the exact command. Nothing is printed when all are there.
 */
async function installSystemPackages(progress: Progress): Promise<void> {
  if (missingPackages('start').length === 0) return;
  try {
    await progress.step('system packages', async (step) => {
      await ensureSystemPackages(
        'start',
        processSetupEnvironment((line) => progress.note(line)),
      );
      step.detail('installed');
    });
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    throw error.message.startsWith('apt-get ') ? new StepFailedError(error.message) : new PrerequisiteError(error.message);
  }
}

/**
 * `rehearsal up`: engine, base images, the three images, swarm, stack, sshd, outputs. Each step
 * checks what is there first, so a second `up` changes nothing and takes seconds.
 */
export async function up(
  settings: RehearsalSettings,
  progress: Progress = new Progress(),
  options: { readonly nodes?: number } = {},
): Promise<void> {
  const nodes = options.nodes ?? 1;
  await installSystemPackages(progress);
  const tools = requireTools({ docker: TOOLS.docker, sshd: TOOLS.sshd, sshKeygen: TOOLS.sshKeygen, ssh: TOOLS.ssh }, 'The rehearsal');
  if (nodes > 1) requireFleetTools(settings);
  const engine = await progress.step('docker engine', async (step) => {
    const found = await ensureEngine(settings);
    step.detail(
      `${found.started ? 'started its own dockerd' : found.own ? 'its own dockerd, running' : 'using'} ${found.version} at ${found.host}`,
    );
    return found;
  });
  // One node or N: switching is another swarm, `down` first (nothing is changed before this).
  checkSameShape(settings, nodes, (await stackServices(engine)).length > 0);
  mkdirSync(settings.rehearsalDir, { recursive: true });
  mkdirSync(settings.stateDir, { recursive: true, mode: 0o700 });
  const files = rehearsalFiles(settings);
  const previous = readRehearsalState(files.state);

  const dockerfiles = readDockerfiles(settings);
  const bases = [...new Set(SERVICE_NAMES.flatMap((service) => baseImagesOf(dockerfiles[service])))];
  await ensureBaseImages(settings, engine, bases, progress);
  const images = await buildImages(settings, engine, dockerfiles, progress);
  if (images.api.sizeBytes > API_IMAGE_MAX_BYTES) {
    progress.note(
      `WARNING: the api image is ${(images.api.sizeBytes / 1e6).toFixed(1)} MB, over the ${API_IMAGE_MAX_BYTES / 1e6} MB the images issue allows`,
    );
  }

  let swarm: { readonly initialized: boolean; readonly clusterId: string; readonly nodeId: string };
  let fleet: Awaited<ReturnType<typeof ensureFleet>> | undefined;
  if (nodes > 1) {
    fleet = await ensureFleet(
      settings,
      engine,
      nodes,
      SERVICE_NAMES.map((s) => images[s]),
      progress,
    );
    swarm = fleet.swarm;
  } else {
    swarm = await progress.step('swarm', async (step) => {
      const found = await ensureSwarm(engine);
      step.detail(`${found.initialized ? 'initialised' : 'active'}, single node on 127.0.0.1, cluster ${found.clusterId.slice(0, 12)}`);
      return found;
    });

    // Before the proxy's task mounts it: the proxy runs as uid 101, and a volume from a root proxy is root's.
    await progress.step('certificate volume', async (step) => {
      step.detail(await ensureCertificateVolume(engine, images.proxy.ref));
    });
  }

  const acme = stageAcme(settings.acme, files.acmeDir);
  if (acme !== undefined)
    progress.note(
      `proxy in ACME mode: DOMAIN ${acme.domain}, directory ${acme.directory}${acme.ca === undefined ? '' : `, CA ${settings.acme?.caFile ?? ''}`}`,
    );
  const stack = stackFile({
    images,
    proxyPort: settings.proxyPort,
    acme,
    ...(fleet === undefined ? {} : { fleet: { certificatesDir: fleet.certificatesDir } }),
  });
  const site = proxySite(settings.proxyPort, settings.acme);
  let nodeControl: string | undefined;
  if (fleet !== undefined) {
    // Before the stack: in ACME mode a proxy orders as soon as it starts, and both its way to the
    // directory and the CA's HTTP-01 request go through the load balancer (a validation that
    // finds no listener would fail the order, and the retry would be a second one).
    await checkBalancerPorts(settings);
    nodeControl = await ensureStandIns(settings, engine, fleet.slots, progress);
  }
  await progress.step(`stack ${STACK_NAME}`, async (step) => {
    // Before the first deploy, the ports must be free: something else on 80 would answer the
    // health checks in place of the proxy.
    if (fleet === undefined && (await stackServices(engine)).length === 0) {
      for (const [service, port] of stackPorts(settings)) {
        if (await portInUse(port)) {
          const hint =
            service !== 'proxy'
              ? ' (fixed by the service contract in contract/services.ts)'
              : port === settings.proxyPort
                ? ' (choose another with REHEARSAL_PROXY_PORT)'
                : ' (choose another with REHEARSAL_HTTPS_PORT)';
          throw new PrerequisiteError(`127.0.0.1:${port}, the ${service}'s port, is taken by another program${hint}`);
        }
      }
    }
    await deployStack(settings, engine, stack);
    step.detail(`deployed (${files.stack})`);
  });

  if (fleet === undefined) {
    await progress.step('services healthy', async (step) => {
      await waitForStack(engine, stack, settings.proxyPort, site, CONVERGE_TIMEOUT_MS);
      step.detail(`one healthy container of the current spec each; proxy serves / and /api/status at ${site.base}`);
    });
  } else {
    const { slots } = fleet;
    await progress.step('services healthy', async (step) => {
      await waitForFleet(settings, slots, stack, CONVERGE_TIMEOUT_MS);
      step.detail(
        `every node runs one healthy container of the current spec of each; each node's proxy and the load balancer serve / and /api/status`,
      );
    });
    await progress.step('load balancer targets in service', async (step) => {
      const ms = await waitForTargetsInService(settings, slots, CONVERGE_TIMEOUT_MS);
      step.detail(`every node passed ${LB_HEALTH.healthy} readiness checks in a row (${(ms / 1000).toFixed(1)} s)`);
    });
  }

  const ssh = await progress.step('ssh endpoint', async (step) => {
    const { endpoint, started } = await ensureSshd(settings, engine, tools);
    // The proof that matters: a remote `docker` over SSH, host key checked, sees the stack.
    const seen = await sshRun(tools.ssh, endpoint, [
      'docker',
      'ps',
      '--filter',
      `label=${STACK_LABEL}=${STACK_NAME}`,
      '--format',
      '{{.Names}}',
    ]);
    const containers = seen.split('\n').filter((line) => line !== '').length;
    step.detail(
      `sshd ${started ? 'started' : 'running'} on ${endpoint.host}:${endpoint.port}; \`docker ps\` over ssh sees ${containers} containers${fleet === undefined ? '' : ' (the drained manager runs none: the nodes do)'}`,
    );
    return endpoint;
  });

  await progress.step('outputs', async (step) => {
    const outputs = localOutputs({
      proxyPort: settings.proxyPort,
      ssh,
      clusterId: swarm.clusterId,
      nodeId: swarm.nodeId,
      dockerHost: engine.host,
      // Only the engine the rehearsal started is its to restart (chaos host:restart-runtime).
      runtimeRestart: engine.own ? [writeRestartScript(settings)] : undefined,
      nodes: fleet?.slots,
      nodeControl: nodeControl === undefined ? undefined : [nodeControl],
    });
    const file = writeOutputs(settings, outputs);
    writeRehearsalState(settings, {
      dockerHost: engine.host,
      ownEngine: engine.own,
      // An earlier up may have initialised the swarm this up found active.
      swarmInitialized: swarm.initialized || engine.own || (previous?.swarmInitialized === true && previous.dockerHost === engine.host),
      stackName: STACK_NAME,
      outputsFile: file,
      ssh: { host: ssh.host, port: ssh.port, user: ssh.user, privateKey: ssh.privateKey, knownHosts: ssh.knownHosts },
      upAt: new Date().toISOString(),
    });
    step.detail(`${file} (validated against PlatformOutputs), ${files.state}`);
  });

  const sizes = SERVICE_NAMES.map((s) => `${s} ${(images[s].sizeBytes / 1e6).toFixed(1)} MB`).join(', ');
  progress.note(`images: ${sizes}`);
  progress.note(
    `rehearsal up: ${site.base}/${site.servername === undefined ? '' : ` (SNI ${site.servername})`}  ·  ssh ${sshArgs(ssh).join(' ')}  ·  DOCKER_HOST=${engine.host}`,
  );
}
