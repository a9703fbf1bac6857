import type { Journal } from '../../contract/journal';
import type { JsonObject } from '../../contract/json';
import { oneLine } from '../errors';
import { DEFAULT_NOTIFICATION_TIMEOUT_SECONDS, type HttpChannel, type RunEvent, type Settings } from './settings';

/** The JSON body of a notification: chaostoolkit's event structure (chaoslib.notification). */
export interface NotificationEnvelope {
  readonly name: RunEvent;
  /** run-started: the experiment as written; the other events: the journal as written to its file. */
  readonly payload: JsonObject | Journal;
  readonly phase: 'run';
  /** When the event was raised: seconds since the Unix epoch, UTC, with a fraction (chaostoolkit's `ts`). */
  readonly ts: number;
}

/** The events a finished run raises, in the order they are sent (chaostoolkit's, then ours). */
export function endEvents(journal: Pick<Journal, 'status' | 'deviated'>): RunEvent[] {
  const events: RunEvent[] = journal.status === 'completed' ? ['run-completed'] : ['run-failed'];
  if (journal.status === 'aborted') events.push('run-aborted');
  if (journal.status === 'interrupted') events.push('run-interrupted');
  if (journal.deviated) events.push('run-deviated');
  return events;
}

/** A webhook as a message names it: its origin only, since paths and queries often hold the secret (Slack's do). */
function shown(channel: HttpChannel): string {
  return `${new URL(channel.url).origin}/…`;
}

const DROPPED = 'still on its way when the run ended, dropped';

/** A property of a thrown value, read without `instanceof` (fetch's errors may come from another realm). */
function field(value: unknown, key: 'name' | 'message' | 'code' | 'cause'): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

function why(error: unknown, seconds: number): string {
  const name = field(error, 'name');
  if (name === 'TimeoutError') return `no answer within ${seconds}s`;
  const code = field(field(error, 'cause'), 'code');
  if (typeof code === 'string') return code;
  const message = field(error, 'message');
  return oneLine(typeof message === 'string' ? message : String(error));
}

/**
 * Posts run events to the settings' webhooks without ever failing or holding up a run: each send is
 * started and not awaited (in order per channel), bounded by the channel's timeout; a failure is one
 * warning line. {@link settle} waits for what is still on its way, for one timeout at most.
 */
export class Notifier {
  private readonly queues = new Map<HttpChannel, Promise<void>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly settings: Settings | null,
    private readonly warn: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  notify(name: RunEvent, payload: JsonObject | Journal): void {
    const channels = this.settings?.notifications.filter((c) => c.events === undefined || c.events.includes(name)) ?? [];
    if (channels.length === 0) return;
    const envelope: NotificationEnvelope = { name, payload, phase: 'run', ts: this.now() / 1000 };
    const body = JSON.stringify(envelope);
    for (const channel of channels) {
      const previous = this.queues.get(channel) ?? Promise.resolve();
      this.queues.set(
        channel,
        previous.then(() => this.send(channel, name, body)),
      );
    }
  }

  private async send(channel: HttpChannel, name: RunEvent, body: string): Promise<void> {
    const seconds = channel.timeout ?? DEFAULT_NOTIFICATION_TIMEOUT_SECONDS;
    const fail = (reason: string): void =>
      this.warn(
        `warning: notification ${name} to ${shown(channel)} (${this.settings?.file ?? 'settings'}) not delivered: ${reason}; the run is unaffected`,
      );
    if (this.stop.signal.aborted) {
      fail(DROPPED);
      return;
    }
    const post = channel.forward_event_payload !== false;
    try {
      const response = await fetch(channel.url, {
        method: post ? 'POST' : 'GET',
        headers: { ...(post ? { 'content-type': 'application/json' } : {}), ...channel.headers },
        ...(post ? { body } : {}),
        signal: AbortSignal.any([AbortSignal.timeout(seconds * 1000), this.stop.signal]),
      });
      await response.body?.cancel();
      if (response.status > 399) fail(`HTTP ${response.status}`);
    } catch (error) {
      fail(this.stop.signal.aborted ? DROPPED : why(error, seconds));
    }
  }

  /** Waits for the notifications on their way, at most the longest channel timeout; then drops the rest. */
  async settle(): Promise<void> {
    const pending = [...this.queues.values()];
    if (pending.length === 0) return;
    const longest = Math.max(...(this.settings?.notifications ?? []).map((c) => c.timeout ?? DEFAULT_NOTIFICATION_TIMEOUT_SECONDS));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, longest * 1000);
    });
    await Promise.race([Promise.all(pending), deadline]);
    clearTimeout(timer);
    this.stop.abort();
    await Promise.all(pending);
  }
}
