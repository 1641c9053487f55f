export { createTestPromptApi } from './routes.ts';
export { createTestRunsTable, KEPT_RUNS, TestRunTable } from './runs-table.ts';
export { type TestPromptDeps, TestPromptRefused, TestPromptService } from './service.ts';
