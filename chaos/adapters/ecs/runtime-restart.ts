import type { RuntimeRestartCommand } from '../../faults/ports';

/**
 * The container runtime on the ECS-optimized Amazon Linux 2023 instance: systemd's docker.service.
 * `systemctl restart docker` stops the daemon (and with it every container: live restore is off
 * on the ECS AMI, so the tasks' containers stop), and starts it again; the ECS agent, itself a
 * container, stops with it, and ecs-init (ecs.service) starts it again, which then sees the
 * tasks' containers stopped and the service scheduler starts new tasks. The script prints the
 * daemon's pid and start time before and after (contract/runtime-restart.ts).
 */
const SCRIPT = [
  'unit=$1',
  'state() { pid=$(systemctl show -p MainPID --value "$unit"); if [ "${pid:-0}" -gt 0 ] 2>/dev/null; then echo "$pid $(date -u -d "$(ps -o lstart= -p "$pid")" +%Y-%m-%dT%H:%M:%SZ)"; else echo "0 -"; fi; }',
  'command -v systemctl >/dev/null 2>&1 || { echo "systemctl is missing on this host: the runtime is not a systemd unit here" >&2; exit 127; }',
  'echo "before $(state)"',
  'systemctl restart "$unit" || exit $?',
  'echo "after $(state)"',
].join('\n');

export const SYSTEMD_DOCKER_RESTART: RuntimeRestartCommand = {
  ok: true,
  words: ['sh', '-c', SCRIPT, 'platform-chaos-restart-runtime', 'docker'],
  what: 'systemctl restart docker (the ECS agent, a container, stops with it; ecs-init starts it again)',
};
