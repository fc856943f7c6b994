/** Unit and integration suites: real SQLite always, PostgreSQL too when TEST_DATABASE_URL is set. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/test/e2e/'],
  // TypeScript through esbuild, and local bindings of the builtins for our code and the packages whose loops the
  // tests run hot (jest.transform.js); any other package is loaded as it is, which is cheaper to load.
  transform: { '^.+\\.(ts|js|cjs)$': '<rootDir>/jest.transform.js' },
  transformIgnorePatterns: ['/node_modules/(?!(node-forge|pdf-lib|@pdf-lib|pako|docx|jszip|exceljs|@zone-eu|mailparser|nodemailer|smtp-server|libmime|libqp|libbase64)/)'],
  testTimeout: 60000,
  // Three on two cores: the suites spend a fifth of their time waiting (ffmpeg, PostgreSQL, LibreOffice, killed and
  // restarted servers), which a third worker fills (README "Set up").
  maxWorkers: 3,
};
