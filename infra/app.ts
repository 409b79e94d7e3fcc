/** The CDK app: `npx cdk deploy` (README "Deploy"); `npm run synth` builds the templates offline. */
import { App } from 'aws-cdk-lib';
import { acknowledgeNagFindings, addNagChecks } from './nag.ts';
import { settingsFromContext } from './settings.ts';
import { StorepulseStack } from './stack.ts';

const app = new App();
const stack = new StorepulseStack(
  app,
  'Storepulse',
  settingsFromContext((k) => app.node.tryGetContext(k)),
  {
    description: 'storepulse: e-commerce exports -> Parquet lake -> models and alerts',
    ...(process.env.CDK_DEFAULT_ACCOUNT
      ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
      : {}),
  },
);
addNagChecks(app);
acknowledgeNagFindings(stack);
app.synth();
