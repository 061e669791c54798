import { readFile, writeFile } from 'node:fs/promises';
import { type DeviceCredentials, importDevicePrivateKey } from './device-key.ts';

/** The CLI's device: the private key and where it is enrolled. Written once, readable by its owner only. */
export interface DeviceKeyFile {
  version: 1;
  issuer: string;
  deviceId: string;
  name: string;
  /** The account the device answers for, as the provider named it at enrollment. */
  account: string | null;
  privateKey: JsonWebKey;
  /** Epoch seconds. */
  createdAt: number;
}

/** Creates the file with mode 0600; never overwrites an existing one (that would lose a key). */
export async function writeDeviceKeyFile(path: string, file: DeviceKeyFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export async function readDeviceKeyFile(path: string): Promise<DeviceKeyFile> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<DeviceKeyFile>;
  if (
    parsed.version !== 1 ||
    typeof parsed.issuer !== 'string' ||
    typeof parsed.deviceId !== 'string' ||
    typeof parsed.privateKey !== 'object'
  ) {
    throw new TypeError(`${path} is not a Stepup device key file`);
  }
  return parsed as DeviceKeyFile;
}

export async function credentialsFromKeyFile(file: DeviceKeyFile): Promise<DeviceCredentials> {
  return {
    issuer: file.issuer,
    deviceId: file.deviceId,
    privateKey: await importDevicePrivateKey(file.privateKey),
  };
}
