/** The CDK app entry point (cdk.json: `node infra/app.ts`). */
import { createBackendApp } from './backend-app.ts';

createBackendApp().app.synth();
