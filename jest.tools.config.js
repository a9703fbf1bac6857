// Tool tests: real system tools (Go, nginx, Pebble, lego, sshd, Chromium) on loopback: the image
// tests under __tests__/images and every `*.tools.test.ts`. `npm test` installs the tools first.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/__tests__/images/**/*.test.ts', '**/*.tools.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 300000,
};
