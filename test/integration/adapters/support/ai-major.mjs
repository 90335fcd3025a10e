// `node --import ./ai-major.mjs` with AI_MAJOR=5|6|7: `ai` and `ai/...` resolve to the aliased devDependency
// `ai5` / `ai6` / `ai7`, so that the adapter (which imports `ai`) runs against that major.
import { register } from 'node:module';

const major = process.env.AI_MAJOR;
if (major) register('./ai-major-hooks.mjs', import.meta.url, { data: { major } });
