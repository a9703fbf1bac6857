/**
 * docker/api: the Go module itself: go vet, go test and its dependencies (none).
 */
import { runGo } from './support/go-build';
import { requireTool } from './support/require-tool';

const go = requireTool('go', 'golang-go');
const describeWithGo = go === undefined ? describe.skip : describe;

describeWithGo('docker/api', () => {
  const goPath = go ?? 'go';

  describe('the Go module', () => {
    test('go vet ./... is clean', async () => {
      const result = await runGo(goPath, ['vet', './...']);
      expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: '' });
    });

    test('go test ./... passes (httptest handlers, real SIGTERM drain, probe)', async () => {
      const result = await runGo(goPath, ['test', '-count=1', './...']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ok\s+ecs-chaos-platform\/docker\/api\s/m);
      expect(result.stdout).toMatch(/^ok\s+ecs-chaos-platform\/docker\/api\/internal\/probe\s/m);
      expect(result.stdout).not.toMatch(/^FAIL/m);
    });

    test('uses the standard library only: go.mod requires nothing and says go 1.19', async () => {
      const result = await runGo(goPath, ['list', '-m', '-f', '{{.Path}} {{.GoVersion}}', 'all']);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('ecs-chaos-platform/docker/api 1.19');
    });
  });
});
