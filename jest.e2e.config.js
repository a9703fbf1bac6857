// End to end: the local rehearsal (a real Docker engine, swarm, sshd) and the chaos experiments run
// against it. Slow (minutes); one test file at a time.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/__tests__/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  // One `rehearsal up` first: a rehearsal that cannot come up stops the run with its reason.
  globalSetup: '<rootDir>/__tests__/e2e/support/global-setup.ts',
  testTimeout: 900000,
};
