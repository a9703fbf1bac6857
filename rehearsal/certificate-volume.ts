import { CERTIFICATE_MOUNT_PATH, SERVICES } from '../contract/services';
import { run, runCommand } from './command';
import { dockerEnv, type Engine } from './docker-engine';
import { CERTIFICATE_VOLUME } from './settings';

/**
 * The certificate volume as the proxy's user (uid:gid 101:101, contract/services.ts) needs it: its
 * root and everything in it owned by that user, the root mode 700. On AWS the EFS access point
 * gives the same (it creates its directory so and acts as that user). A volume Docker creates for
 * a container takes the owner and mode of the image's /etc/acme, so a new one is right at once;
 * one kept from an earlier rehearsal, whose proxy ran as root, holds root's account and
 * certificates, which uid 101 can neither read nor replace: those are re-owned, once.
 *
 * Done by a throwaway container of the proxy image as root (no network), mounted where the proxy
 * mounts the volume, so that a missing volume is created exactly as the proxy's task would.
 */
const SCRIPT = `
set -eu
user=$1 dir=$2
others=$(find "$dir" \\( ! -user "\${user%:*}" -o ! -group "\${user#*:}" \\) -print | wc -l)
if [ "$others" -eq 0 ] && [ "$(stat -c %a "$dir")" = 700 ]; then
	echo "owned by $user, mode 700"
	exit 0
fi
chown -R "$user" "$dir"
chmod 700 "$dir"
echo "re-owned to $user, mode 700 ($others entries were another user's: an earlier proxy ran as root)"
`;

/** Creates or fixes the volume before the proxy's task starts; returns what it found or did, for the progress line. */
export async function ensureCertificateVolume(engine: Engine, proxyImage: string): Promise<string> {
  const existed =
    (await runCommand('docker', ['volume', 'inspect', CERTIFICATE_VOLUME], { env: dockerEnv(engine), timeoutMs: 30_000 })).code === 0;
  const user = SERVICES.proxy.user;
  const said = await run(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--user',
      '0:0',
      '--entrypoint',
      'sh',
      '-v',
      `${CERTIFICATE_VOLUME}:${CERTIFICATE_MOUNT_PATH}`,
      proxyImage,
      '-c',
      SCRIPT,
      'sh',
      user,
      CERTIFICATE_MOUNT_PATH,
    ],
    { env: dockerEnv(engine), timeoutMs: 60_000 },
  );
  return `${CERTIFICATE_VOLUME} ${existed ? '' : 'created, '}${said.trim()}`;
}
