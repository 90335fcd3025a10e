/**
 * `mcptool/ai-sdk` in the AI SDK's real agent loop (`generateText` with tools), one test for each `ai` major the
 * peer range names: 5 and 6 under Node 20; 7 under Node 22, which its `engines` require. Each runs with that
 * major's own mock model from `ai/test`, through the aliased devDependencies ai5 / ai6 / ai7.
 */
import { after, before, describe, it } from 'node:test';
import {
  assertReceived,
  runScenarioChild,
  type ScenarioServers,
  startScenarioServers,
} from './support/run-scenario.ts';

describe('AI SDK adapter in generateText', { concurrency: 1 }, () => {
  let servers: ScenarioServers;
  before(async () => {
    servers = await startScenarioServers();
  });
  after(() => servers?.close());

  for (const major of [5, 6, 7]) {
    it(`ai ${major}: the model receives text, error-text and the image as a media part`, async () => {
      const report = await runScenarioChild('ai-sdk', { env: servers.env, aiMajor: major, node22: major >= 7 });
      assertReceived(report);
    });
  }
});
