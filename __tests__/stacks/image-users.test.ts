/**
 * The user each container runs as is stated twice: by its image (the Dockerfile's USER) and where it
 * runs (the task definition's `user`, the rehearsal's stack file), both from contract/services.ts.
 * A drift would go unnoticed until a container cannot write its files, so the two are compared
 * here; and the proxy's user needs the nginx binary's file capability to bind ports 80 and 443.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SERVICE_NAMES, SERVICES, userIds } from '../../contract/services';

const DOCKER_DIR = path.resolve(__dirname, '..', '..', 'docker');
const dockerfile = (service: string): string => readFileSync(path.join(DOCKER_DIR, service, 'Dockerfile'), 'utf8');

/** The USER of the final stage: the last USER line of the file. */
function imageUser(text: string): string | undefined {
  const users = [...text.matchAll(/^USER\s+(\S+)\s*$/gm)].map((m) => m[1]);
  return users[users.length - 1];
}

describe('container users', () => {
  it.each(SERVICE_NAMES)('%s: the image runs as the numeric, non-root user of the contract', (service) => {
    expect(imageUser(dockerfile(service))).toBe(SERVICES[service].user);
    expect(userIds(SERVICES[service].user).uid).toBeGreaterThan(0);
  });

  it('proxy: the image creates its user with those ids and gives nginx alone the capability to bind low ports', () => {
    const text = dockerfile('proxy');
    const { uid, gid } = userIds(SERVICES.proxy.user);
    expect(text).toMatch(new RegExp(`groupadd --system --gid ${gid} `));
    expect(text).toMatch(new RegExp(`useradd --system --uid ${uid} --gid ${gid} `));
    expect(text.match(/^ && setcap .*/gm)).toEqual([' && setcap cap_net_bind_service=+ep /usr/sbin/nginx \\']);
    // The file capability only works while the container keeps NET_BIND_SERVICE in its bounding set.
    expect(SERVICES.proxy.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
  });

  it.each(['root', 'www-data', '101', '101:'])('userIds refuses %s, which is not a numeric uid:gid', (user) => {
    expect(() => userIds(user)).toThrow(/not a numeric uid:gid/);
  });
});
