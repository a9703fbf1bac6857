import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/**
 * The proxy's ACME mode in the rehearsal. By default the proxy runs without a domain (plain HTTP,
 * no certificate). With `REHEARSAL_DOMAIN` and `REHEARSAL_ACME_DIRECTORY` it runs as on EC2: it
 * orders a certificate for the domain over HTTP-01, keeps it on the certificate volume and serves
 * HTTPS with it. The proxy listens on 127.0.0.1 only, so only a CA on this machine (Pebble) can
 * validate it: the directory must be on loopback, and a public CA is never asked.
 */

/** The ACME settings as given (`REHEARSAL_DOMAIN`, `REHEARSAL_ACME_*`, `REHEARSAL_HTTPS_PORT`). */
export interface AcmeSettings {
  /** The proxy's DOMAIN: a name the CA's DNS resolves to 127.0.0.1 (Pebble: pebble-challtestsrv). */
  readonly domain: string;
  /** ACME directory URL, on loopback. */
  readonly directory: string;
  /** ACME account contact (the proxy requires one with a domain). */
  readonly email: string;
  /** Port of the proxy's HTTPS listener on 127.0.0.1. */
  readonly httpsPort: number;
  /** PEM file on this machine the proxy's lego trusts for the directory's own HTTPS (LEGO_CA_CERTIFICATES). */
  readonly caFile: string | undefined;
}

/** Where the CA file is mounted in the proxy container. */
export const ACME_CA_MOUNT_PATH = '/etc/proxy/acme-ca.pem';

/** The ACME part of the stack: the settings, and the CA as staged for the bind mount. */
export interface StackAcme {
  readonly domain: string;
  readonly directory: string;
  readonly email: string;
  readonly httpsPort: number;
  /** The staged copy under `.rehearsal/` and a digest of its content (a new CA replaces the proxy task). */
  readonly ca: { readonly hostPath: string; readonly digest: string } | undefined;
}

const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The variables this module reads, as strings (empty means unset). */
export const acmeEnvironmentSchema = z.object({
  REHEARSAL_DOMAIN: z.string().optional(),
  REHEARSAL_ACME_DIRECTORY: z.string().optional(),
  REHEARSAL_ACME_EMAIL: z.string().optional(),
  REHEARSAL_ACME_CA: z.string().optional(),
});

type AcmeEnvironment = z.output<typeof acmeEnvironmentSchema>;

const given = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/**
 * The ACME settings, undefined without `REHEARSAL_DOMAIN`; the problems found otherwise, each a
 * message naming the variable (the caller turns them into one prerequisite error).
 */
export function acmeSettings(
  env: AcmeEnvironment,
  httpsPort: number,
  cwd: string,
): { readonly acme: AcmeSettings | undefined; readonly problems: readonly string[] } {
  const domain = given(env.REHEARSAL_DOMAIN);
  const directory = given(env.REHEARSAL_ACME_DIRECTORY);
  const caFile = given(env.REHEARSAL_ACME_CA);
  if (domain === undefined) {
    const stray = [directory === undefined ? '' : 'REHEARSAL_ACME_DIRECTORY', caFile === undefined ? '' : 'REHEARSAL_ACME_CA'].filter(
      (v) => v !== '',
    );
    return { acme: undefined, problems: stray.map((v) => `${v} is set but REHEARSAL_DOMAIN is not: set both, or neither (plain HTTP)`) };
  }
  const problems: string[] = [];
  if (!HOST_NAME.test(domain))
    problems.push(`REHEARSAL_DOMAIN must be a host name with a dot (letters, digits, '-', '.'), got "${domain}"`);
  if (directory === undefined) {
    problems.push(
      "REHEARSAL_DOMAIN needs REHEARSAL_ACME_DIRECTORY, an ACME directory on this machine (e.g. Pebble's https://127.0.0.1:14000/dir): the proxy listens on 127.0.0.1 only, so no public CA could validate it",
    );
  } else {
    let url: URL | undefined;
    try {
      url = new URL(directory);
    } catch {
      problems.push(`REHEARSAL_ACME_DIRECTORY must be a URL, got "${directory}"`);
    }
    if (url !== undefined && (url.protocol !== 'https:' || !LOOPBACK_HOSTS.has(url.hostname))) {
      problems.push(
        `REHEARSAL_ACME_DIRECTORY must be an https URL on loopback (127.0.0.1, localhost or [::1]): the proxy listens on 127.0.0.1 only; got "${directory}"`,
      );
    }
  }
  const caPath = caFile === undefined ? undefined : path.resolve(cwd, caFile);
  if (caPath !== undefined && !existsSync(caPath))
    problems.push(`REHEARSAL_ACME_CA ${caPath} does not exist (a PEM file: the ACME server's own HTTPS certificate or its CA)`);
  if (problems.length > 0 || directory === undefined) return { acme: undefined, problems };
  const email = given(env.REHEARSAL_ACME_EMAIL) ?? 'ops@example.org';
  return { acme: { domain, directory, email, httpsPort, caFile: caPath }, problems };
}

/**
 * Copies the CA file to `<dir>/acme-ca.pem` for the proxy's bind mount: swarm mounts it at every
 * task start, so it must outlive whatever temporary directory the caller keeps it in.
 */
export function stageAcme(acme: AcmeSettings | undefined, dir: string): StackAcme | undefined {
  if (acme === undefined) return undefined;
  let ca: StackAcme['ca'];
  if (acme.caFile !== undefined) {
    mkdirSync(dir, { recursive: true });
    const hostPath = path.join(dir, 'acme-ca.pem');
    copyFileSync(acme.caFile, hostPath);
    ca = { hostPath, digest: createHash('sha256').update(readFileSync(hostPath)).digest('hex').slice(0, 16) };
  }
  return { domain: acme.domain, directory: acme.directory, email: acme.email, httpsPort: acme.httpsPort, ca };
}

/** Where `up` checks that the proxy serves the site: HTTPS (any certificate) in ACME mode, else HTTP. */
export interface ProxySite {
  readonly base: string;
  /** SNI for the HTTPS checks. */
  readonly servername: string | undefined;
}

export function proxySite(proxyPort: number, acme: Pick<AcmeSettings, 'domain' | 'httpsPort'> | undefined): ProxySite {
  return acme === undefined
    ? { base: `http://127.0.0.1:${proxyPort}`, servername: undefined }
    : { base: `https://127.0.0.1:${acme.httpsPort}`, servername: acme.domain };
}
