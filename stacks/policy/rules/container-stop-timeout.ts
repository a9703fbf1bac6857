import { defineRule, finding, containers } from '../rule';

/** ECS accepts 2-120 s; its default of 30 s only delays the stop of a container that ignores SIGTERM. */
const MIN_SECONDS = 2;
const MAX_SECONDS = 120;

/** A short, explicit stop timeout bounds how long a stop (a deployment, a chaos fault) takes. */
export const containerStopTimeout = defineRule({
  id: 'container-stop-timeout',
  title: 'Every container has an explicit stop timeout',
  severity: 'error',
  checkov: [],
  trivy: [],
  description: `Every container spec sets stopTimeoutSeconds between ${MIN_SECONDS} and ${MAX_SECONDS}: the time between SIGTERM and SIGKILL.`,
  remedy: 'set stopTimeoutSeconds in the container spec (SERVICES.<name>.stopTimeoutSeconds in contract/services.ts)',
  subjects: containers,
  check(subject) {
    const seconds = subject.spec.stopTimeoutSeconds;
    if (seconds !== undefined && seconds >= MIN_SECONDS && seconds <= MAX_SECONDS) return [];
    return [
      finding(
        subject,
        seconds === undefined
          ? 'stopTimeoutSeconds is not set (ECS waits 30 s)'
          : `stopTimeoutSeconds is ${seconds}, outside ${MIN_SECONDS}-${MAX_SECONDS}`,
      ),
    ];
  },
});
