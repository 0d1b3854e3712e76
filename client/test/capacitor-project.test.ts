import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import config from '../../capacitor.config.ts';

/**
 * The committed `android/` project must be what `npx cap sync android` makes
 * from `capacitor.config.ts` and the root package's plugins. Running the sync
 * here would need a client build; these are the generated files it writes
 * that are committed (Capacitor's template ignores the copied web assets and
 * config JSON), so a stale project fails in milliseconds.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');

/** Capacitor plugins the root package depends on, as `cap sync` finds them. */
function rootPlugins(): string[] {
  const pkg = JSON.parse(read('package.json')) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {})
    .filter((name) => {
      const meta = JSON.parse(read(`node_modules/${name}/package.json`)) as {
        capacitor?: { android?: unknown };
      };
      return meta.capacitor?.android !== undefined;
    })
    .sort();
}

/** `@scope/name` as Gradle names its project (`scope-name`). */
const gradleName = (name: string) => name.replace(/^@/, '').replace(/\//g, '-');

describe('the committed android project', () => {
  it('uses the app id and name of capacitor.config.ts', () => {
    expect(config.webDir).toBe('client/dist');
    const strings = read('android/app/src/main/res/values/strings.xml');
    expect(strings).toContain(`<string name="app_name">${config.appName}</string>`);
    expect(strings).toContain(`<string name="package_name">${config.appId}</string>`);
    const gradle = read('android/app/build.gradle');
    expect(gradle).toContain(`namespace "${config.appId}"`);
    expect(gradle).toContain(`applicationId "${config.appId}"`);
    const activity = `android/app/src/main/java/${config.appId!.replace(/\./g, '/')}/MainActivity.java`;
    expect(read(activity)).toContain(`package ${config.appId};`);
  });

  it('includes exactly the Capacitor plugins the root package depends on', () => {
    const plugins = rootPlugins();
    expect(plugins).toContain('@capacitor/network');
    const settings = read('android/capacitor.settings.gradle');
    const included = [...settings.matchAll(/include ':([^']+)'/g)].map((m) => m[1]);
    expect(included.sort()).toEqual(['capacitor-android', ...plugins.map(gradleName)].sort());
    const build = read('android/app/capacitor.build.gradle');
    const implemented = [...build.matchAll(/implementation project\(':([^']+)'\)/g)].map(
      (m) => m[1],
    );
    expect(implemented.sort()).toEqual(plugins.map(gradleName).sort());
  });
});
