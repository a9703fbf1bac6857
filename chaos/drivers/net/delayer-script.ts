/**
 * The packet delayer `net:delay-port` runs on the host, as one constant word given to `python3 -c`
 * (standard library only: the host has no netem, and AWS kernels need kernel-modules-extra for it).
 *
 * argv: `platform-chaos-net-delay <queue> <delayMs> <jitterMs>`. It binds NFQUEUE `<queue>` over a
 * raw NETLINK_NETFILTER socket (NFQNL_MSG_CONFIG: bind, then copy-meta so no payload is copied),
 * reads each NFQNL_MSG_PACKET, keeps its packet id for delayMs (± a uniform jitter) and then sends
 * the NFQNL_MSG_VERDICT NF_ACCEPT. Held packets are released at once on SIGTERM/SIGINT (the kernel
 * would drop them when the socket closes), and the counters are printed as one JSON line on exit:
 * the fault's evidence. It prints `bound …` once the queue is bound, `error …` if it cannot be.
 * The iptables rule sends packets with `--queue-bypass`, so they pass undelayed if it is gone.
 */
export const DELAYER_SCRIPT = String.raw`import heapq, json, os, random, select, signal, socket, struct, sys, time
Q, D, J = int(sys.argv[2]), int(sys.argv[3]) / 1e3, int(sys.argv[4]) / 1e3
N = {'queued': 0, 'delayed': 0, 'releasedAtExit': 0, 'recvErrors': 0, 'maxHeld': 0, 'delayMs': D * 1e3, 'jitterMs': J * 1e3}
seq = [0]
def send(s, kind, attrs, ack=False):
    seq[0] += 1
    body = struct.pack('>BBH', 0, 0, Q)
    for t, v in attrs:
        body += struct.pack('HH', 4 + len(v), t) + v + b'\0' * (-len(v) % 4)
    s.send(struct.pack('IHHII', 16 + len(body), (3 << 8) | kind, 1 | (4 if ack else 0), seq[0], 0) + body)
    while ack:
        data = s.recv(65536)
        while len(data) >= 16:
            ln, ty, _, sq, _ = struct.unpack_from('IHHII', data)
            if ty == 2 and sq == seq[0]:
                err = struct.unpack_from('i', data, 16)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return
            data = data[(ln + 3) & ~3:] if ln >= 16 else b''
def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((0, 0))
    send(s, 2, [(1, struct.pack('BBH', 1, 0, 0))], True)
    send(s, 2, [(2, struct.pack('>IB', 0, 1))], True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print('bound queue %d delay %d ms jitter %d ms' % (Q, D * 1e3, J * 1e3), flush=True)
    held = []
    while not stop:
        now = time.monotonic()
        while held and held[0][0] <= now:
            send(s, 1, [(2, struct.pack('>II', 1, heapq.heappop(held)[1]))])
            N['delayed'] += 1
        try:
            ready = select.select([s], [], [], max(0.0, held[0][0] - now) if held else 0.5)[0]
        except InterruptedError:
            continue
        if not ready:
            continue
        try:
            data = s.recv(1 << 16)
        except OSError:
            N['recvErrors'] += 1
            continue
        now = time.monotonic()
        while len(data) >= 16:
            ln, ty, _, _, _ = struct.unpack_from('IHHII', data)
            if ln < 16:
                break
            off = 20
            while ty == (3 << 8) and off + 4 <= ln:
                al, at = struct.unpack_from('HH', data, off)
                if al < 4:
                    break
                if at & 0x7fff == 1:
                    N['queued'] += 1
                    heapq.heappush(held, (now + max(0.0, D + random.uniform(-J, J)), struct.unpack_from('>I', data, off + 4)[0]))
                    N['maxHeld'] = max(N['maxHeld'], len(held))
                off += (al + 3) & ~3
            data = data[(ln + 3) & ~3:]
    for _, pid in held:
        send(s, 1, [(2, struct.pack('>II', 1, pid))])
        N['releasedAtExit'] += 1
try:
    main()
except Exception as e:
    print('error %s: %s' % (type(e).__name__, e), flush=True)
    sys.exit(1)
finally:
    print(json.dumps(N), flush=True)
`;

/** The counters the delayer prints on exit. */
export interface DelayerCounters {
  readonly queued: number;
  readonly delayed: number;
  readonly releasedAtExit: number;
  readonly recvErrors: number;
  readonly maxHeld: number;
}

/** The delayer's last JSON line, or null when it printed none (killed, or never started). */
export function parseDelayerCounters(lines: readonly string[]): DelayerCounters | null {
  for (const line of [...lines].reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null) continue;
      const get = (key: string): number => {
        const value: unknown = (parsed as Record<string, unknown>)[key];
        return typeof value === 'number' && Number.isFinite(value) ? value : 0;
      };
      return {
        queued: get('queued'),
        delayed: get('delayed'),
        releasedAtExit: get('releasedAtExit'),
        recvErrors: get('recvErrors'),
        maxHeld: get('maxHeld'),
      };
    } catch {
      // Not the counters line.
    }
  }
  return null;
}
