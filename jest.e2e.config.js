/** Browser journeys: playwright-core driving Debian's chromium. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  // TypeScript through esbuild, and local bindings of the builtins for our code and the packages whose loops the
  // tests run hot (jest.transform.js); any other package is loaded as it is, which is cheaper to load.
  transform: { '^.+\\.(ts|js|cjs)$': '<rootDir>/jest.transform.js' },
  transformIgnorePatterns: ['/node_modules/(?!(node-forge|pdf-lib|@pdf-lib|pako|docx|jszip|exceljs|@zone-eu|mailparser|nodemailer|smtp-server|libmime|libqp|libbase64)/)'],
  testTimeout: 120000,
  maxWorkers: 1,
};
