import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CookieJarBrowser } from './support/cookie-jar-browser.ts';
import { freePort } from './support/provider-node.ts';

// What users install is what we test: the three packages packed as tarballs (prepack builds them),
// installed into a scratch project outside the workspace, and run with plain `node` — no loader, no
// flags. The README's Express example runs as written, against the provider started from the
// installed `stepup-idp`, and a password sign-in goes through it.

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const PASSWORD = 'correct horse battery staple';
const CLIENT_SECRET = 'Pq7Lx2Rv9Tb4Ny1Kc8Hm3Wd6Zs0Fg5Ja2Ue7Io4Yr9t';

/** The README's Express example: the code block after its packed-example marker. */
async function readmeExpressExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- packed-example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md has no packed-example block');
  return block;
}

/** Resolves with the output once `marker` appears; rejects with it when the process exits first. */
async function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) resolve();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before "${marker}":\n${output}`)));
  });
}

describe('the packed packages, installed in a project of their own', { timeout: 20 * 60_000 }, () => {
  let scratch: string;
  let project: string;
  const children: ChildProcess[] = [];
  const node = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, args, { cwd: project, env: { ...process.env, ...env } });

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stepup-packed-'));
    const tarballs = join(scratch, 'tarballs');
    await mkdir(tarballs);
    await run(
      'npm',
      [
        'pack',
        '--workspace',
        'packages/core',
        '--workspace',
        'packages/rp',
        '--workspace',
        'packages/idp',
      ].concat(['--pack-destination', tarballs]),
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    project = join(scratch, 'payroll');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'payroll', private: true, type: 'module' }, null, 2),
    );
    const files = (await readdir(tarballs)).filter((file) => file.endsWith('.tgz')).sort();
    assert.deepEqual(files, ['stepup-core-0.1.0.tgz', 'stepup-idp-0.1.0.tgz', 'stepup-rp-0.1.0.tgz']);
    // Installed from outside the workspace: nothing resolves into this checkout.
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', 'express@5', ...files.map((file) => join(tarballs, file))],
      { cwd: project, maxBuffer: 64 * 1024 * 1024 },
    );
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await rm(scratch, { recursive: true, force: true });
  });

  test('each tarball ships only dist/, its README and LICENSE (and the provider its bin/)', async () => {
    for (const name of ['core', 'rp', 'idp']) {
      const installed = join(project, 'node_modules', '@stepup', name);
      const entries = (await readdir(installed)).sort();
      const expected = ['LICENSE', 'README.md', 'dist', 'package.json'];
      assert.deepEqual(
        entries,
        name === 'idp' ? [...expected.slice(0, 2), 'bin', ...expected.slice(2)] : expected,
      );
    }
  });

  test('plain node imports every exports entry of @stepup/rp, and @stepup/core and @stepup/idp', async () => {
    const manifest = JSON.parse(
      await readFile(join(project, 'node_modules/@stepup/rp/package.json'), 'utf8'),
    ) as { exports: Record<string, unknown> };
    const entries = Object.keys(manifest.exports).map((entry) => `@stepup/rp${entry.slice(1)}`);
    assert.deepEqual(entries, ['@stepup/rp', '@stepup/rp/express', '@stepup/rp/hono', '@stepup/rp/bearer']);
    const script = `
      const names = {};
      for (const specifier of ${JSON.stringify([...entries, '@stepup/core', '@stepup/idp'])}) {
        names[specifier] = Object.keys(await import(specifier)).sort();
      }
      console.log(JSON.stringify(names));`;
    const { stdout } = await node(['--input-type=module', '--eval', script]);
    const names = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string[]>;
    assert.ok(names['@stepup/rp']?.includes('createStepupRp'));
    assert.ok(names['@stepup/rp/express']?.includes('createExpressAuth'));
    assert.ok(names['@stepup/rp/hono']?.includes('createHonoAuth'));
    assert.ok(names['@stepup/rp/bearer']?.includes('createBearerGuard'));
    assert.ok(names['@stepup/core']?.includes('ACR_MULTI_FACTOR'));
    assert.ok(names['@stepup/idp']?.includes('createStepupProvider'));
  });

  test('the installed stepup-authenticator answers --help', async () => {
    const { stdout } = await node(['node_modules/.bin/stepup-authenticator', '--help']);
    assert.match(stdout, /^usage: stepup-authenticator <command>/);
  });

  test('the README Express example, against the installed provider: redirect, then a password sign-in', async () => {
    const idpPort = await freePort();
    const appPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    const app = `http://127.0.0.1:${appPort}`;
    const env = { STEPUP_DATA_DIR: join(scratch, 'data'), IDP_PORT: String(idpPort), STEPUP_ISSUER: issuer };
    const cli = (...args: string[]) => node(['node_modules/.bin/stepup-idp', ...args], env);

    const provider = spawn(process.execPath, ['node_modules/.bin/stepup-idp', 'start'], {
      cwd: project,
      env: { ...process.env, ...env, IDP_HOST: '127.0.0.1' },
    });
    children.push(provider);
    await waitForOutput(provider, 'Stepup provider listening');

    await cli('user', 'add', 'dana', '--password', PASSWORD);
    await cli(
      ...['client', 'add', 'payroll', '--secret', CLIENT_SECRET, '--redirect-uri', `${app}/auth/callback`],
      ...['--post-logout-redirect-uri', `${app}/`, '--id-token-alg', 'HS256', '--name', 'Payroll'],
    );

    const example = (await readmeExpressExample())
      .replaceAll('http://localhost:3000', issuer)
      .replaceAll('http://localhost:5000', app)
      .replace('app.listen(5000)', `app.listen(${appPort}, () => console.log('payroll listening'))`);
    await writeFile(join(project, 'app.js'), example);
    const web = spawn(process.execPath, ['app.js'], {
      cwd: project,
      env: { ...process.env, CLIENT_SECRET, SESSION_SECRET: 'a session secret of at least thirty-two bytes' },
    });
    children.push(web);
    await waitForOutput(web, 'payroll listening');

    const browser = new CookieJarBrowser();
    const first = await browser.request(`${app}/profile`);
    assert.equal(first.status, 302);
    const authorize = new URL(first.headers.get('location') ?? '');
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${issuer}/authorize`);
    // The provider advertises PAR: the SDK pushed the request (PKCE, state, nonce inside it).
    assert.deepEqual([...authorize.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(authorize.searchParams.get('client_id'), 'payroll');

    const login = await browser.navigate(`${app}/profile`);
    assert.equal(new URL(login.url).origin, issuer);
    const profile = await browser.submit(login, '/password', { username: 'dana', password: PASSWORD });
    assert.equal(profile.status, 200);
    assert.equal(profile.url, `${app}/profile`);
    const session = JSON.parse(profile.body) as { amr?: unknown; acr?: unknown };
    assert.deepEqual(session.amr, ['pwd']);
    assert.equal(session.acr, 'urn:stepup:acr:one-factor');
  });
});
