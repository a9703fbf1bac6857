import { createHash } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the fake saw. */
export interface S3Request {
  readonly method: string;
  readonly key: string;
  readonly ifNoneMatch?: string;
}

/**
 * Just enough of S3 (path style, on 127.0.0.1) for Terraform's S3 backend: list, get, head, put
 * (with `If-None-Match: *`, which the S3 lock file relies on), delete. No authentication is checked.
 * It lets the backend's real code run with no AWS: state written, read and locked.
 */
export class FakeS3 {
  readonly objects = new Map<string, Buffer>();
  readonly requests: S3Request[] = [];
  private server?: Server;

  constructor(readonly bucket: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const ifNoneMatch = req.headers['if-none-match'] as string | undefined;
    this.requests.push({ method: req.method ?? '', key, ...(ifNoneMatch ? { ifNoneMatch } : {}) });
    if (bucket !== this.bucket) return this.error(res, 404, 'NoSuchBucket');
    if (key === '' && req.method === 'GET') return this.list(res, url.searchParams.get('prefix') ?? '');
    const object = this.objects.get(key);
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        if (!object) return this.error(res, 404, 'NoSuchKey', req.method === 'HEAD');
        res.writeHead(200, { ETag: etag(object), 'Content-Length': object.length, 'Content-Type': 'application/json' });
        return void res.end(req.method === 'GET' ? object : undefined);
      case 'PUT': {
        if (ifNoneMatch === '*' && object) return this.error(res, 412, 'PreconditionFailed');
        const body = decodeBody(req, raw);
        this.objects.set(key, body);
        res.writeHead(200, { ETag: etag(body) });
        return void res.end();
      }
      case 'DELETE':
        this.objects.delete(key);
        res.writeHead(204);
        return void res.end();
      default:
        return this.error(res, 405, 'MethodNotAllowed');
    }
  }

  private list(res: ServerResponse, prefix: string): void {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    const contents = keys.map((k) => `<Contents><Key>${k}</Key><Size>${this.objects.get(k)?.length}</Size></Contents>`).join('');
    res.writeHead(200, { 'Content-Type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
        `<Name>${this.bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
        `<IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
    );
  }

  private error(res: ServerResponse, status: number, code: string, head = false): void {
    res.writeHead(status, { 'Content-Type': 'application/xml' });
    res.end(head ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
  }
}

const etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;

/** The body as sent, or decoded from the SDK's aws-chunked encoding (size;ext CRLF data CRLF ... 0 CRLF trailers). */
function decodeBody(req: IncomingMessage, raw: Buffer): Buffer {
  const chunked =
    /aws-chunked/.test(String(req.headers['content-encoding'] ?? '')) ||
    /^STREAMING-/.test(String(req.headers['x-amz-content-sha256'] ?? ''));
  if (!chunked) return raw;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString().split(';')[0], 16);
    if (!size) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
