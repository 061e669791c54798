import { setTimeout as sleep } from 'node:timers/promises';
import { type CliCommand, parseCommandArgs, UsageError } from '../../cli/cli-command.ts';
import type { DeviceChallenge } from '../../factors/push/push-protocol.ts';
import {
  credentialsFromKeyFile,
  type DeviceKeyFile,
  readDeviceKeyFile,
  writeDeviceKeyFile,
} from '../device-key-file.ts';
import { DeviceRequestError } from '../device-request-error.ts';
import { enrollDevice } from '../enroll-device.ts';
import { type DeviceStreamEvent, listenForChallenges } from '../listen-for-challenges.ts';
import { respondToChallenge } from '../respond-to-challenge.ts';

const KEY_FILE = { 'key-file': { type: 'string' } } as const;

function requireKeyFile(value: string | undefined): string {
  if (!value) throw new UsageError('--key-file is required');
  return value;
}

async function loadKeyFile(path: string): Promise<DeviceKeyFile> {
  try {
    return await readDeviceKeyFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the key file ${path}: ${(error as Error).message}`);
  }
}

function describeChallenge(challenge: DeviceChallenge, now: number): string[] {
  const at = new Date(challenge.createdAt * 1000).toISOString();
  return [
    `request ${challenge.id}  ${challenge.clientName}  from ${challenge.ip}  at ${at}  (expires in ${Math.max(0, challenge.expiresAt - now)}s)`,
    // A transaction-bound request: what approving does, before the numbers.
    ...(challenge.transaction ? [`  approve: ${challenge.transaction.summary}`] : []),
    `  pick the number shown on the sign-in page (one pick: a wrong number refuses the request): ${challenge.choices.join('  ')}`,
    `  stepup-authenticator respond ${challenge.id} --number NN|--deny --key-file <path>`,
  ];
}

/** What a resolution printed by `listen` means, where its one word does not say it all. */
const RESOLUTION_NOTE: Readonly<Record<Extract<DeviceStreamEvent, { type: 'resolved' }>['status'], string>> =
  {
    approved: '',
    denied: '',
    expired: '',
    withdrawn: ': that sign-in is over (finished another way or cancelled)',
  };

export const enroll: CliCommand = {
  words: ['enroll'],
  summary: 'add this terminal as a push device, with the link the sign-in page shows',
  usage: 'stepup-authenticator enroll <link> --key-file <path> --name <name>',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...KEY_FILE, name: { type: 'string' } }, 1);
    const keyFile = requireKeyFile(values['key-file']);
    if (!values.name?.trim()) throw new UsageError('--name is required');
    let file: DeviceKeyFile;
    try {
      file = await enrollDevice(positionals[0] ?? '', values.name.trim());
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(error.message);
      throw error;
    }
    try {
      await writeDeviceKeyFile(keyFile, file);
    } catch (error) {
      throw new UsageError(`cannot write ${keyFile} (it must not exist yet): ${(error as Error).message}`);
    }
    io.out(
      `enrolled device ${file.deviceId} "${file.name}" for ${file.account ?? 'the account'} at ${file.issuer}`,
    );
    io.out(`key saved to ${keyFile}; keep it private`);
  },
};

export const listen: CliCommand = {
  words: ['listen'],
  summary: 'print sign-in requests as they arrive (--once: those waiting now, then exit)',
  usage: 'stepup-authenticator listen --key-file <path> [--once] [--json]',
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      { ...KEY_FILE, once: { type: 'boolean' }, json: { type: 'boolean' } },
      0,
    );
    const file = await loadKeyFile(requireKeyFile(values['key-file']));
    const device = await credentialsFromKeyFile(file);
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    const print = (event: DeviceStreamEvent) => {
      if (values.json) {
        if (event.type !== 'ready') io.out(JSON.stringify(event));
        return;
      }
      if (event.type === 'challenge')
        for (const line of describeChallenge(event.challenge, Math.floor(Date.now() / 1000))) io.out(line);
      if (event.type === 'resolved')
        io.out(`request ${event.id} ${event.status}${RESOLUTION_NOTE[event.status]}`);
    };
    try {
      let delay = 1000;
      while (!abort.signal.aborted) {
        try {
          for await (const event of listenForChallenges(device, { signal: abort.signal })) {
            delay = 1000;
            if (event.type === 'ready' && values.once) return;
            print(event);
          }
        } catch (error) {
          // A refusal (removed device, wrong clock) will not heal by retrying; a dropped connection may.
          if (error instanceof DeviceRequestError || values.once) throw error;
        }
        if (values.once) return;
        await sleep(delay, undefined, { signal: abort.signal }).catch(() => {});
        delay = Math.min(delay * 2, 30_000);
      }
    } finally {
      process.off('SIGINT', stop);
    }
  },
};

export const respond: CliCommand = {
  words: ['respond'],
  summary: 'approve a request with the number the sign-in page shows, or deny it',
  usage: 'stepup-authenticator respond <request-id> (--number NN | --deny) --key-file <path>',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { ...KEY_FILE, number: { type: 'string' }, deny: { type: 'boolean' } },
      1,
    );
    if ((values.number === undefined) === !values.deny)
      throw new UsageError('give either --number NN or --deny');
    if (values.number !== undefined && !/^\d{2}$/.test(values.number)) {
      throw new UsageError('--number: the two-digit number shown on the sign-in page');
    }
    const device = await credentialsFromKeyFile(await loadKeyFile(requireKeyFile(values['key-file'])));
    const result = await respondToChallenge(
      device,
      positionals[0] ?? '',
      values.deny ? { decision: 'deny' } : { decision: 'approve', number: Number(values.number) },
    );
    io.out(`request ${result.id} ${result.status}`);
  },
};
