// Unit tests: fast, no daemons, no system tools (those are `*.tools.test.ts`, in jest.tools.config.js).
// Type checking runs once with `tsc --noEmit` (npm run typecheck), so ts-jest only transpiles (isolatedModules): about 10x faster per file on this machine.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '\\.tools\\.test\\.ts$',
    '<rootDir>/__tests__/images/',
    '<rootDir>/__tests__/e2e/',
    '<rootDir>/__tests__/terraform/',
  ],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  testTimeout: 120000,
};
