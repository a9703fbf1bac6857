// Real Terraform against the synthesized stacks: init from the local provider mirror, validate, and an
// offline create-only plan, for the JSON synth and for `cdktf synth --hcl`. Slower than unit tests.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/__tests__/terraform'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000,
};
