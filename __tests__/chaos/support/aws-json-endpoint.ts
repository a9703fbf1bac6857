import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject, JsonValue } from '../../../contract/json';

/** One request as the SDK sent it: the operation (after the target's prefix) and the parsed JSON body. */
export interface RecordedRequest {
  readonly target: string;
  readonly operation: string;
  readonly body: JsonObject;
}

/** An error answer: HTTP status (400 unless said), the `__type` code and a message. */
export interface ErrorAnswer {
  readonly error: string;
  readonly message?: string;
  readonly status?: number;
}

/** A JSON body to answer with 200, or (when it has a string `error`) an error answer. */
export type Answer = JsonObject | ErrorAnswer;
export type Handler = (body: JsonObject, request: RecordedRequest) => Answer;

function isError(answer: Answer): answer is ErrorAnswer {
  return typeof answer.error === 'string';
}

/** Static fake credentials: no real AWS account is ever involved. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };

/**
 * A local endpoint speaking the awsJson1_1 protocol (ECS, SSM): POST / with `x-amz-target:
 * <prefix>.<Operation>` and a JSON body, answered from per-operation handlers; errors are HTTP 400
 * with `{"__type", "message"}` and the `x-amzn-errortype` header. Listens on 127.0.0.1 only.
 */
export class AwsJsonEndpoint {
  readonly requests: RecordedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly failures = new Map<string, ErrorAnswer[]>();
  private server: Server | undefined;
  private port = 0;

  /** Answers `operation` with `handler` (or a fixed answer) from now on. */
  on(operation: string, handler: Handler | Answer): this {
    this.handlers.set(operation, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** Answers `operation` with these, one per request, the last one repeated. */
  onSequence(operation: string, answers: readonly Answer[]): this {
    let i = 0;
    return this.on(operation, () => answers[Math.min(i++, answers.length - 1)] ?? { error: 'NoAnswer' });
  }

  /** The next `times` requests for `operation` get this error, before its handler answers again. */
  failNext(operation: string, error: ErrorAnswer, times = 1): this {
    const queue = this.failures.get(operation) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.failures.set(operation, queue);
    return this;
  }

  /** A throttling error (HTTP 400 ThrottlingException, which the SDK retries) answered `times` times. */
  throttleNext(operation: string, times = 1): this {
    return this.failNext(operation, { error: 'ThrottlingException', message: 'Rate exceeded' }, times);
  }

  /** The bodies sent for one operation, in order. */
  bodies(operation: string): JsonObject[] {
    return this.requests.filter((r) => r.operation === operation).map((r) => r.body);
  }

  /** The operations received, in order. */
  operations(): string[] {
    return this.requests.map((r) => r.operation);
  }

  get endpoint(): string {
    if (this.server === undefined) throw new Error('the endpoint is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** What a client of this endpoint is created with: the endpoint, fake credentials, one region, few attempts. */
  clientConfig(maxAttempts = 3) {
    return { endpoint: this.endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS, maxAttempts };
  }

  reset(): void {
    this.requests.length = 0;
    this.handlers.clear();
    this.failures.clear();
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const text = Buffer.concat(chunks).toString('utf8');
    const parsed: JsonValue = text === '' ? {} : JSON.parse(text);
    const body: JsonObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
    const request = { target, operation, body };
    this.requests.push(request);
    const queued = this.failures.get(operation)?.shift();
    const handler = this.handlers.get(operation);
    const answer: Answer =
      queued ??
      (req.method !== 'POST' || req.url !== '/'
        ? { error: 'UnknownOperationException', message: `${req.method} ${req.url}` }
        : handler === undefined
          ? { error: 'UnknownOperationException', message: `no handler for ${target}` }
          : handler(body, request));
    if (isError(answer)) {
      res.writeHead(answer.status ?? 400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': answer.error });
      res.end(JSON.stringify({ __type: answer.error, message: answer.message ?? answer.error }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${this.requests.length}` });
    res.end(JSON.stringify(answer));
  }
}
