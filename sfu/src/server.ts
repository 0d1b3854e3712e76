import { ConfigError, loadConfig, type SfuConfig } from './config.ts';
import { startSfu } from './app.ts';
import { voiceSecret } from './secret.ts';

let config: SfuConfig;
try {
  const secret = await voiceSecret(process.env);
  config = loadConfig(secret ? { ...process.env, VOICE_GRANT_SECRET: secret } : process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`sfu: config: ${error.message}`);
  process.exit(1);
}

const sfu = await startSfu(config);
console.log(`sfu: listening on ${config.host}:${sfu.port}`);

const stop = (): void => {
  sfu.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
