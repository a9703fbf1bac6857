// End to end: the local rehearsal (a real Docker engine, swarm, sshd) and the chaos experiments run
// against it. Slow (minutes); one test file at a time.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/__tests__/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 900000,
};
