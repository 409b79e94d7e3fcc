/**
 * The one base Lambda construct: every stage gets the same runtime, architecture, ESM bundle with
 * source maps, log group with retention, and tracing. The project's .sql files and parquet-wasm's
 * WebAssembly are copied beside the bundle, where the code looks for them.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The handlers' entry files; infra knows their paths, never their code. */
export const HANDLERS = {
  ingest: 'functions/ingest/handler.ts',
  plan: 'functions/plan/handler.ts',
  compact: 'functions/compact/handler.ts',
  models: 'functions/models/handler.ts',
  stage: 'functions/stage/handler.ts',
  churnRecall: 'functions/churn-recall/handler.ts',
  forget: 'functions/forget/handler.ts',
  report: 'functions/report/handler.ts',
} as const;

export interface PipelineFunctionProps {
  handler: keyof typeof HANDLERS;
  description: string;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  memorySize?: number;
  timeout?: Duration;
  ephemeralStorageMb?: number;
}

export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${ROOT}${HANDLERS[props.handler]}`,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      ...(props.ephemeralStorageMb ? { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMb) } : {}),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `storepulse-${props.handler}`,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        sourceMap: true,
        minify: true,
        // Error names are what Step Functions matches and what the failure notification and the
        // logs show: minified, a QueryError would arrive as "Ap".
        keepNames: true,
        mainFields: ['module', 'main'],
        // CommonJS dependencies bundled into ESM need require, __filename and __dirname.
        banner:
          "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
        // The SDK is bundled (pinned by the lock file) rather than taken from the runtime; DuckDB and
        // tsx are local-home tools no handler imports.
        externalModules: ['@duckdb/*', 'tsx'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `mkdir -p "${outputDir}/queries"`,
            `cp "${inputDir}/shared/sql/queries/"*.sql "${outputDir}/queries/"`,
            `cp "${inputDir}/node_modules/parquet-wasm/node/parquet_wasm_bg.wasm" "${outputDir}/"`,
            // The report inlines Chart.js from beside the code.
            `cp "${inputDir}/node_modules/chart.js/dist/chart.umd.min.js" "${outputDir}/"`,
          ],
        },
      },
    });
  }
}
