import { readFileSync } from 'node:fs';

/**
 * The resident set size of a process in bytes, read from Linux's /proc/<pid>/status (VmRSS): what
 * the process holds in RAM, heap and native memory alike, read from outside without touching it.
 * NaN once the process has exited, so a report shows the gap instead of the bench stopping.
 */
export function residentSetSize(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const kibibytes = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kibibytes === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kibibytes) * 1024;
}
