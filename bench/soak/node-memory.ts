import { readFileSync } from 'node:fs';

/**
 * The resident set size of a process in bytes, read from Linux's /proc/<pid>/status (VmRSS): what
 * the process holds in RAM, heap and native memory alike, read from outside without touching it.
 */
export function residentSetSize(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kibibytes = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kibibytes === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kibibytes) * 1024;
}
