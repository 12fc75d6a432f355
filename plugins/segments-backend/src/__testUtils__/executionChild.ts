/* eslint-disable no-console */
// Runs one execution in a child process, slowly, so a test can kill it with
// SIGKILL mid-run. Usage: tsx executionChild.ts <knex config JSON> <execution id>
import { LoggerService } from '@backstage/backend-plugin-api';
import knexFactory from 'knex';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { DatabaseRuleStore } from '../database/RuleStore';
import { SegmentEngine } from '../engine/SegmentEngine';

const consoleLogger: LoggerService = {
  info: m => console.log(m),
  warn: m => console.log(m),
  error: m => console.error(m),
  debug: () => {},
  child: () => consoleLogger,
};

async function main() {
  const [config, executionId] = process.argv.slice(2);
  const db = knexFactory(JSON.parse(config));
  const executions = DatabaseExecutionStore.create({ database: db });
  // Slow each committed step down so the parent can kill the process between steps.
  const setProgress = executions.setProgress.bind(executions);
  executions.setProgress = async (id, processed) => {
    await setProgress(id, processed);
    console.log(`progress ${processed}`);
    await new Promise(r => setTimeout(r, 400));
  };
  const engine = SegmentEngine.create({
    database: db,
    rules: DatabaseRuleStore.create({ database: db }),
    executions,
    logger: consoleLogger,
  });
  await engine.runExecution(executionId);
  console.log('finished');
  await db.destroy();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
