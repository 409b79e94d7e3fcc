/**
 * One Lambda execution environment: a worker thread that loads a function's bundle once (the cold
 * start, module scope included) and then runs one invocation at a time, as Lambda does. Plain
 * JavaScript, because it loads the esbuild output as Lambda's Node runtime would, with no loader.
 */
import { parentPort, workerData } from 'node:worker_threads';

let handler;
try {
  const mod = await import(workerData.entry);
  handler = mod[workerData.exportName];
  if (typeof handler !== 'function')
    throw new Error(`${workerData.entry} exports no ${workerData.exportName}`);
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ initError: describe(err, 'Runtime.ImportModuleError') });
}

function describe(err, fallbackType = 'Error') {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: e.name || fallbackType,
    errorMessage: e.message,
    trace: String(e.stack ?? '').split('\n'),
  };
}

parentPort.on('message', async ({ id, event, context }) => {
  const deadline = Date.now() + context.timeoutMs;
  const ctx = {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await handler(event, ctx);
    // The response crosses the service boundary as JSON, as Lambda's does.
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.stringify(result) });
  } catch (err) {
    parentPort.postMessage({ id, error: describe(err) });
  }
});
