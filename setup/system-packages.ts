/**
 * The one list of system packages the project needs, and what for. `npm start`, `npm test` and
 * `.ci/run` all install from it (`setup/install.ts`); nothing else names a Debian package.
 */

/** What a package is needed for: the rehearsal (`npm start`), the tests (`npm test`), or both. */
export type Purpose = 'start' | 'test';

export interface SystemPackage {
  /** The Debian package. */
  readonly name: string;
  /** Commands it provides that the project runs; present commands mean the package is there. */
  readonly commands: readonly string[];
  /** Files it provides that the project reads, for packages without a command. */
  readonly files?: readonly string[];
  /** One line: why the project needs it. */
  readonly why: string;
  readonly for: readonly Purpose[];
}

export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  {
    name: 'docker.io',
    commands: ['docker', 'dockerd'],
    why: 'the rehearsal runs the three images on its own dockerd, in a single-node swarm',
    for: ['start', 'test'],
  },
  {
    name: 'debootstrap',
    commands: ['debootstrap'],
    why: 'the rehearsal builds its Debian base image locally (Docker Hub is out of reach)',
    for: ['start', 'test'],
  },
  {
    name: 'openssh-server',
    commands: ['sshd'],
    why: 'the rehearsal reaches its host over SSH, as an operator reaches EC2; the SSH driver tests run a real sshd',
    for: ['start', 'test'],
  },
  { name: 'openssh-client', commands: ['ssh', 'ssh-keygen'], why: 'keys and host keys for that SSH endpoint', for: ['start', 'test'] },
  { name: 'golang-go', commands: ['go'], why: 'the API image tests build, vet and test the Go API', for: ['test'] },
  { name: 'nginx', commands: ['nginx'], why: 'the frontend and proxy image tests run the real nginx configuration', for: ['test'] },
  {
    name: 'libnginx-mod-stream',
    commands: [],
    files: ['/usr/lib/nginx/modules/ngx_stream_module.so'],
    why: "the multi-node rehearsal's stand-in network load balancer is nginx's stream module (TCP pass-through); npm start runs one node and needs none",
    for: ['test'],
  },
  { name: 'pebble', commands: ['pebble', 'pebble-challtestsrv'], why: 'a local ACME server for the certificate tests', for: ['test'] },
  { name: 'lego', commands: ['lego'], why: "the proxy's ACME client, run by the certificate tests", for: ['test'] },
  { name: 'openssl', commands: ['openssl'], why: 'certificates for the proxy tests', for: ['test'] },
  {
    name: 'iproute2',
    commands: ['ip', 'ss'],
    why: 'the multi-node rehearsal puts each node in a network namespace on a bridge; the non-root proxy test binds ports 80 and 443 in a namespace of its own',
    for: ['test'],
  },
  {
    name: 'libcap2-bin',
    commands: ['setcap'],
    why: 'the non-root proxy test gives nginx the file capability the proxy image gives it (setcap)',
    for: ['test'],
  },
  {
    name: 'ca-certificates',
    commands: [],
    files: ['/etc/ssl/certs/ca-certificates.crt'],
    why: 'the trust store the proxy image and the tests build on',
    for: ['test'],
  },
  {
    name: 'jq',
    commands: ['jq'],
    why: "the first-deploy test runs the deploy workflow's jq program that lists the ECR targets",
    for: ['test'],
  },
  { name: 'wrk', commands: ['wrk'], why: 'the redundancy e2e test loads /api/status with wrk while an API copy stops', for: ['test'] },
  { name: 'chromium', commands: ['chromium'], why: 'the HTML report is checked in a real headless browser', for: ['test'] },
  {
    name: 'fonts-liberation',
    commands: [],
    files: ['/usr/share/fonts/truetype/liberation'],
    why: 'fonts for the report screenshots',
    for: ['test'],
  },
];

/** The packages needed for `purpose`. */
export function packagesFor(purpose: Purpose): readonly SystemPackage[] {
  return SYSTEM_PACKAGES.filter((p) => p.for.includes(purpose));
}
