import { defineRule, finding, containers } from '../rule';

/** Without a health check ECS only notices a container that exits, never one that hangs. */
export const containerHealthCheck = defineRule({
  id: 'container-health-check',
  title: 'Every container has a health check',
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'Every container spec has an exec-form health check (["CMD", ...] or ["CMD-SHELL", ...]); ECS replaces a task whose essential container turns unhealthy.',
  remedy:
    'set healthCheck: { command: SERVICES.<name>.healthCheckCommand } in the container spec (contract/services.ts holds the commands)',
  subjects: containers,
  check(subject) {
    const command = subject.spec.healthCheck?.command ?? [];
    if (command.length >= 2 && (command[0] === 'CMD' || command[0] === 'CMD-SHELL')) return [];
    return [
      finding(
        subject,
        command.length === 0
          ? 'no health check'
          : `health check command ${JSON.stringify(command)} does not start with "CMD" or "CMD-SHELL"`,
      ),
    ];
  },
});
