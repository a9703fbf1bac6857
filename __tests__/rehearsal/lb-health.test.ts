/** The stand-in load balancer's target health: NLB-style thresholds, fail-open, and the `down` marks in its nginx configuration. */
import { LB_HEALTH, nextState, TargetHealth } from '../../rehearsal/lb-health';
import { loadBalancerConfig } from '../../rehearsal/load-balancer';
import { nodeSlots } from '../../rehearsal/nodes';

describe('target health', () => {
  test(`out of service after ${LB_HEALTH.unhealthy} failed checks in a row, not after one`, () => {
    const h = new TargetHealth();
    expect(h.record('node-1', false)).toBe(false);
    expect(h.state('node-1').inService).toBe(true);
    expect(h.record('node-1', false)).toBe(true);
    expect(h.state('node-1').inService).toBe(false);
  });

  test(`back in service only after ${LB_HEALTH.healthy} good checks in a row; a failure in between starts over`, () => {
    const goods = (state: ReturnType<typeof nextState>, n: number) => {
      let s = state;
      for (let i = 0; i < n; i++) s = nextState(s, true);
      return s;
    };
    let s = nextState(nextState({ inService: true, streak: 0, lastOk: null }, false), false);
    expect(s.inService).toBe(false);
    s = goods(s, LB_HEALTH.healthy - 1);
    expect(s.inService).toBe(false);
    s = goods(nextState(s, false), LB_HEALTH.healthy - 1);
    expect(s.inService).toBe(false);
    s = nextState(s, true);
    expect(s.inService).toBe(true);
  });

  test('a good check resets the failure streak', () => {
    const h = new TargetHealth();
    h.record('node-2', false);
    h.record('node-2', true);
    h.record('node-2', false);
    expect(h.state('node-2').inService).toBe(true);
  });

  test('down names the nodes out of service, and none when every node is (fail open)', () => {
    const h = new TargetHealth();
    for (const n of ['node-1', 'node-3']) for (let i = 0; i < LB_HEALTH.unhealthy; i++) h.record(n, false);
    expect(h.down(['node-1', 'node-2', 'node-3'])).toEqual(['node-1', 'node-3']);
    for (let i = 0; i < LB_HEALTH.unhealthy; i++) h.record('node-2', false);
    expect(h.down(['node-1', 'node-2', 'node-3'])).toEqual([]);
  });
});

test('the balancer lists a node out of service as `down` on every port, the others as before', () => {
  const slots = nodeSlots(3);
  const config = loadBalancerConfig('/state/lb', [80, 443], slots, new Set([slots[1]?.address ?? '']));
  expect(config).toContain('server 10.210.0.12:80 max_fails=1 fail_timeout=3s down;');
  expect(config).toContain('server 10.210.0.12:443 max_fails=1 fail_timeout=3s down;');
  expect(config).toContain('server 10.210.0.11:80 max_fails=1 fail_timeout=3s;');
  expect(loadBalancerConfig('/state/lb', [80], slots)).not.toContain(' down;');
});
