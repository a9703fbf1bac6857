import { z } from 'zod';
import type { PlatformOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import { linearRegex, linearRegexProblem } from '../../model/linear-regex';
import { defineFault } from '../../faults/define-fault';
import type { HttpSampleTarget } from '../../sampling/sample-target';
import { HttpRequestError, sendHttpRequest } from '../../sampling/http-request';

const args = z.strictObject({
  path: z
    .string()
    .startsWith('/', 'must start with "/"')
    .default('/')
    .describe('Path requested on the platform\'s public URL (default "/")'),
  url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Absolute URL to request instead of the public URL + path'),
  expectStatus: z
    .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
    .default(200)
    .describe('Status (or statuses) that count as healthy (default 200)'),
  bodyMatch: z
    .string()
    .superRefine((p, ctx) => {
      const problem = linearRegexProblem(p);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: `expected a valid regular expression (${problem})` });
    })
    .optional()
    .describe('Regular expression (RE2 syntax: linear time) the body must match'),
  maxLatencyMs: z.number().positive().optional().describe('Slower answers fail the probe'),
  timeoutMs: z.number().int().positive().default(5000).describe('Milliseconds before the request fails (default 5000)'),
  headers: z.record(z.string(), z.string()).default({}).describe('Request headers'),
  verifyTls: z.boolean().default(true).describe('Check the server certificate (default true)'),
});

type Args = z.output<typeof args>;

function urlOf(a: Args, outputs: PlatformOutputs): string {
  return a.url ?? new URL(a.path, outputs.publicUrl).toString();
}

function statuses(a: Args): number[] {
  return typeof a.expectStatus === 'number' ? [a.expectStatus] : a.expectStatus;
}

/** `http:get`: one GET against the platform; fails on an unexpected status, body or latency. */
export const httpGet = defineFault({
  id: 'http:get',
  kind: 'probe',
  description: 'GET a URL of the platform (public URL + path by default) and check status, body and latency',
  args,
  destructive: false,
  describe: (a, { outputs }) =>
    `GET ${urlOf(a, outputs)} expecting ${statuses(a).join('/')}${a.bodyMatch ? ` and a body matching /${a.bodyMatch}/` : ''}`,
  sampleTarget: (a, outputs): HttpSampleTarget => ({
    url: urlOf(a, outputs),
    method: 'GET',
    headers: a.headers,
    expectStatus: statuses(a),
    timeoutMs: a.timeoutMs,
    verifyTls: a.verifyTls,
  }),
  async run(ctx, a) {
    const url = urlOf(a, ctx.outputs);
    let res;
    try {
      res = await sendHttpRequest({
        url,
        method: 'GET',
        headers: a.headers,
        timeoutMs: a.timeoutMs,
        verifyTls: a.verifyTls,
        signal: ctx.signal,
      });
    } catch (error) {
      if (error instanceof HttpRequestError) throw new ActivityFailedError(`GET ${url} failed: ${error.message}`);
      throw error;
    }
    const bodyMatched = a.bodyMatch === undefined ? null : linearRegex(a.bodyMatch).test(res.body);
    if (!statuses(a).includes(res.status))
      throw new ActivityFailedError(`GET ${url} answered ${res.status}, expected ${statuses(a).join(' or ')}`);
    if (bodyMatched === false) throw new ActivityFailedError(`GET ${url} answered a body not matching /${a.bodyMatch ?? ''}/`);
    if (a.maxLatencyMs !== undefined && res.latencyMs > a.maxLatencyMs) {
      throw new ActivityFailedError(`GET ${url} took ${res.latencyMs} ms, more than ${a.maxLatencyMs} ms`);
    }
    return { url, status: res.status, latencyMs: res.latencyMs, bodyMatched };
  },
});
