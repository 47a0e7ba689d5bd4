// `npm run check-screens`: validates every screen file (screens/builtin, screens/custom, RXPULSE_SCREENS_DIR) as the
// server does at start, without starting it. Prints each screen or the first problem (file, path, reason).
import { PROJECT_ROOT, screenDirs } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { RxpError } from '../server/errors.ts';
import { loadScreenFiles } from '../server/screens.ts';

try {
  const screens = loadScreenFiles(screenDirs(loadConfig(process.env)), PROJECT_ROOT);
  for (const s of screens.values()) console.log(`ok  ${s.id.padEnd(16)} ${s.widgets.length} widgets  ${s.title['zh-CN']} / ${s.title.en}`);
  console.log(`${screens.size} screens valid`);
} catch (err) {
  if (!(err instanceof RxpError)) throw err;
  console.error(`invalid screen: ${err.message}`);
  process.exit(1);
}
