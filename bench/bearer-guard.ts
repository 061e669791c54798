/**
 * Verifications per second of the bearer guard (`@stepup/rp/bearer`) for RS256, ES256 and EdDSA
 * access tokens, against the limit — raw `crypto.verify` with pre-imported keys, no parsing and no
 * claims — and against its peers: `jose.jwtVerify`, `jsonwebtoken` and `fast-jwt`, all in one run.
 *
 *   npm run bench:bearer          (ROUNDS=5 SECONDS=0.4 CLOCK=cpu by default)
 *
 * CLOCK=cpu counts the process's CPU time (user + system, all its threads), so other jobs on a shared
 * machine do not count against whichever contender they interrupt; CLOCK=wall counts elapsed time.
 * Every contender but "raw" does full claim validation (signature with pinned algorithms, iss,
 * aud, exp, nbf/iat, and typ where the library can). "cold" means no verified-token cache: each
 * verification does all the work. The guard's optional cache is measured apart, on repeated tokens.
 * Rounds interleave the contenders, in reverse order every other round, so background load and
 * position hit them alike; the table shows medians.
 *
 * DPoP-bound rows (RFC 9449) verify tokens with `cnf.jkt` presented with an ES256 proof, one proof
 * per token (made before the clock starts); their limit is two raw `crypto.verify` calls, the
 * token's and the proof's. The replay store is one that accepts every proof, so repeated rounds over
 * the same proofs measure verification, not replay refusals; the in-memory store's `consume` is
 * measured on its own row, in a steady state of about 90,000 live proofs.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  verify,
} from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createVerifier } from 'fast-jwt';
import { calculateJwkThumbprint, exportJWK, importJWK, jwtVerify, SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createBearerGuard } from '../packages/rp/src/bearer/create-bearer-guard.ts';
import { createMemoryDpopReplayStore } from '../packages/rp/src/bearer/dpop-replay-store.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 0.4);
const TOKENS = Number(process.env.TOKENS ?? 1000);
const CLOCK = process.env.CLOCK ?? 'cpu';
if (CLOCK !== 'cpu' && CLOCK !== 'wall') throw new TypeError('CLOCK must be cpu or wall');
/** Microseconds of the chosen clock. */
const elapsed =
  CLOCK === 'cpu'
    ? () => {
        const usage = process.cpuUsage();
        return usage.user + usage.system;
      }
    : () => performance.now() * 1000;
const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'https://payroll.example.com/api';

type Alg = 'RS256' | 'ES256' | 'EdDSA';
const ALGS: Alg[] = ['RS256', 'ES256', 'EdDSA'];
const HASH: Record<Alg, string | null> = { RS256: 'sha256', ES256: 'sha256', EdDSA: null };

interface Fixture {
  alg: Alg;
  tokens: string[];
  /** DPoP-bound tokens (`cnf.jkt`), each with its own proof in `proofs`. */
  boundTokens: string[];
  proofs: Map<string, string>;
  publicKey: KeyObject;
  pem: string;
}

const dpopKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const dpopJwk = await exportJWK(dpopKey.publicKey);
const dpopJkt = await calculateJwkThumbprint(dpopJwk, 'sha256');
const dpopVerifyKey = { key: dpopKey.publicKey, dsaEncoding: 'ieee-p1363' as const };
const PROOF_URL = 'https://payroll.example.com/api/salaries';

async function proofFor(token: string): Promise<string> {
  return new SignJWT({
    htm: 'GET',
    htu: PROOF_URL,
    jti: randomUUID(),
    ath: createHash('sha256').update(token).digest('base64url'),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: dpopJwk })
    .setIssuedAt()
    .sign(dpopKey.privateKey);
}

async function fixture(alg: Alg): Promise<Fixture & { jwk: object }> {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  const boundTokens: string[] = [];
  const proofs = new Map<string, string>();
  for (let index = 0; index < 2 * TOKENS; index++) {
    const bound = index >= TOKENS;
    const token = await new SignJWT({
      ...(bound ? { cnf: { jkt: dpopJkt } } : {}),
      client_id: 'salary',
      scope: 'payroll:read openid',
      acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
      amr: ['mfa', 'otp', 'pwd'],
      auth_time: now - 30,
      jti: `token-${index}`,
    })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid: `${alg}-1` })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`user-${index}`)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(pair.privateKey);
    if (!bound) tokens.push(token);
    else {
      boundTokens.push(token);
      proofs.set(token, await proofFor(token));
    }
  }
  const publicKey = createPublicKey(pair.publicKey.export({ format: 'pem', type: 'spki' }));
  const jwk = { ...(await exportJWK(publicKey)), alg, kid: `${alg}-1`, use: 'sig' };
  return {
    alg,
    tokens,
    boundTokens,
    proofs,
    publicKey,
    pem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    jwk,
  };
}

type Run = (token: string) => unknown;

async function measure(run: Run, tokens: string[], isAsync: boolean): Promise<number> {
  const started = elapsed();
  const deadline = started + SECONDS * 1_000_000;
  let count = 0;
  let index = 0;
  while (true) {
    // Check the clock every 64 verifications, not every one.
    for (let batch = 0; batch < 64; batch++) {
      const token = tokens[index] as string;
      index = index + 1 === tokens.length ? 0 : index + 1;
      const result = run(token);
      if (isAsync) await result;
      count++;
    }
    if (elapsed() >= deadline) break;
  }
  return count / ((elapsed() - started) / 1_000_000);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const fixtures = await Promise.all(ALGS.map(fixture));
const results = new Map<string, number[]>();
const record = (name: string, alg: Alg, value: number) => {
  const key = `${name}|${alg}`;
  results.set(key, [...(results.get(key) ?? []), value]);
};

interface Contender {
  name: string;
  isAsync: boolean;
  repeated?: boolean;
  /** Runs over the DPoP-bound tokens. */
  bound?: boolean;
  make(f: Fixture & { jwk: object }): Promise<Run | undefined>;
}

const jwksFetch = (jwk: object) => async () => Response.json({ keys: [jwk] });
const contenders: Contender[] = [
  {
    name: 'raw crypto.verify (limit)',
    isAsync: false,
    async make({ alg, publicKey }) {
      const key = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
      return (token) => {
        const dot = token.lastIndexOf('.');
        if (
          !verify(
            HASH[alg],
            Buffer.from(token.slice(0, dot), 'latin1'),
            key,
            Buffer.from(token.slice(dot + 1), 'base64url'),
          )
        ) {
          throw new Error('bad signature');
        }
      };
    },
  },
  {
    name: '@stepup/rp bearer guard (node:crypto)',
    isAsync: true,
    async make({ alg, jwk }) {
      const guard = await createBearerGuard({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        jwksUri: 'https://idp.example.com/jwks',
        fetch: jwksFetch(jwk),
      });
      return (token) => guard.verify(token);
    },
  },
  {
    name: '@stepup/rp bearer guard (jose)',
    isAsync: true,
    async make({ alg, jwk }) {
      const guard = await createBearerGuard({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        verifier: 'jose',
        jwksUri: 'https://idp.example.com/jwks',
        fetch: jwksFetch(jwk),
      });
      return (token) => guard.verify(token);
    },
  },
  {
    name: 'jose.jwtVerify',
    isAsync: true,
    async make({ alg, jwk }) {
      const key = await importJWK(jwk, alg);
      return (token) =>
        jwtVerify(token, key, { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' });
    },
  },
  {
    name: 'jsonwebtoken',
    isAsync: false,
    async make({ alg, publicKey }) {
      if (alg === 'EdDSA') return undefined; // jsonwebtoken 9 has no EdDSA
      return (token) =>
        jsonwebtoken.verify(token, publicKey, { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE });
    },
  },
  {
    name: 'fast-jwt',
    isAsync: false,
    async make({ alg, pem }) {
      const verifier = createVerifier({
        key: pem,
        algorithms: [alg],
        allowedIss: ISSUER,
        allowedAud: AUDIENCE,
        cache: false,
      });
      return (token) => verifier(token);
    },
  },
  {
    name: 'raw crypto.verify × 2: token + ES256 proof (limit for DPoP)',
    isAsync: false,
    bound: true,
    async make({ alg, publicKey, proofs }) {
      const key = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
      const check = (jws: string, hashName: string | null, verifyKey: Parameters<typeof verify>[2]) => {
        const dot = jws.lastIndexOf('.');
        if (
          !verify(
            hashName,
            Buffer.from(jws.slice(0, dot), 'latin1'),
            verifyKey,
            Buffer.from(jws.slice(dot + 1), 'base64url'),
          )
        ) {
          throw new Error('bad signature');
        }
      };
      return (token) => {
        check(token, HASH[alg], key);
        check(proofs.get(token) as string, 'sha256', dpopVerifyKey);
      };
    },
  },
  {
    name: '@stepup/rp bearer guard, DPoP-bound token + proof (node:crypto)',
    isAsync: true,
    bound: true,
    async make({ alg, jwk, proofs }) {
      const guard = await createBearerGuard({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        jwksUri: 'https://idp.example.com/jwks',
        fetch: jwksFetch(jwk),
        // Accepts every proof: rounds reuse them (see the top of the file).
        dpop: { algorithms: ['ES256'], proofMaxAge: 600, replayStore: { consume: async () => true } },
      });
      return (token) =>
        guard.verify(token, {}, { proof: proofs.get(token) as string, method: 'GET', url: PROOF_URL });
    },
  },
  {
    name: 'in-memory DPoP replay store, consume alone',
    isAsync: true,
    bound: true,
    async make() {
      // Steady state: a clock of its own ticks every 10,000 proofs and each lives 9 ticks, so the
      // store holds about 90,000 live proofs and drops one expired proof per new one.
      let counter = 0;
      const tick = () => Math.floor(counter / 10_000);
      const store = createMemoryDpopReplayStore({ clock: tick });
      return () => store.consume(`jkt.${counter++}`, tick() + 9);
    },
  },
  {
    name: '@stepup/rp bearer guard, verified-token cache, repeated tokens',
    isAsync: true,
    repeated: true,
    async make({ alg, jwk }) {
      const guard = await createBearerGuard({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
        jwksUri: 'https://idp.example.com/jwks',
        fetch: jwksFetch(jwk),
        cache: { maxEntries: 10_000 },
      });
      return (token) => guard.verify(token);
    },
  },
];

const runs = new Map<string, Run | undefined>();
for (const contender of contenders) {
  for (const f of fixtures) {
    const run = await contender.make(f);
    if (run) for (const token of contender.bound ? f.boundTokens : f.tokens) await run(token); // check it verifies, warm up, fill the cache
    runs.set(`${contender.name}|${f.alg}`, run);
  }
}

for (let round = 0; round < ROUNDS; round++) {
  for (const f of fixtures) {
    for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) {
      const run = runs.get(`${contender.name}|${f.alg}`);
      const tokens = contender.bound ? f.boundTokens : f.tokens;
      if (run) record(contender.name, f.alg, await measure(run, tokens, contender.isAsync));
    }
  }
}

const rate = (name: string, alg: Alg) => median(results.get(`${name}|${alg}`) ?? []);
const format = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0));
const lines = [
  `| verifier | ${ALGS.map((alg) => `${alg} /s | × raw`).join(' | ')} |`,
  `| --- | ${ALGS.map(() => '---: | ---:').join(' | ')} |`,
];
for (const contender of contenders) {
  const cells = ALGS.map((alg) => {
    if (!runs.get(`${contender.name}|${alg}`)) return 'n/a | ';
    const value = rate(contender.name, alg);
    return `${format(value)} | ${(value / rate(contenders[0]?.name ?? '', alg)).toFixed(2)}`;
  });
  lines.push(`| ${contender.name} | ${cells.join(' | ')} |`);
}
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(lines.join('\n'));
console.log(
  `\nNode ${process.version}, ${cpu}, ${cpus().length} cores, load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(
      ' ',
    )}; ${ROUNDS} rounds of ${SECONDS} s (${CLOCK === 'cpu' ? 'CPU time' : 'wall clock'}) per cell, medians; ${TOKENS} distinct tokens per algorithm.`,
);
for (const alg of ALGS) {
  const guard = rate('@stepup/rp bearer guard (node:crypto)', alg);
  const raw = rate('raw crypto.verify (limit)', alg);
  const peers = ['jose.jwtVerify', 'jsonwebtoken', 'fast-jwt']
    .filter((name) => runs.get(`${name}|${alg}`))
    .map((name) => rate(name, alg));
  const cached = rate('@stepup/rp bearer guard, verified-token cache, repeated tokens', alg);
  const dpop = rate('@stepup/rp bearer guard, DPoP-bound token + proof (node:crypto)', alg);
  const dpopRaw = rate('raw crypto.verify × 2: token + ES256 proof (limit for DPoP)', alg);
  console.log(
    `${alg}: cold ${(guard / raw).toFixed(2)}× raw (target ≥ 0.90), ${(guard / Math.max(...peers)).toFixed(2)}× the fastest peer (target ≥ 1.00), cache ${(cached / guard).toFixed(1)}× cold (target ≥ 10); DPoP-bound ${(dpop / dpopRaw).toFixed(2)}× its raw limit, ${(dpop / guard).toFixed(2)}× plain`,
  );
}
