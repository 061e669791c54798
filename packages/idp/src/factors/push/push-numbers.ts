import { randomInt } from 'node:crypto';

/** How many numbers the device offers; the person picks the one the login page shows. */
export const PUSH_CHOICES = 3;

/** A source of uniform integers in [min, max); `crypto.randomInt` unless a test injects one. */
export type RandomInt = (min: number, max: number) => number;

/**
 * Draws the two-digit number for the login page and the choices for the device: the number and
 * two other distinct two-digit numbers, in random order (NIST SP 800-63B-4: the person transfers
 * a value from the login to the device, which approve-only push lacks).
 */
export function drawPushNumbers(random: RandomInt = randomInt): { number: number; choices: number[] } {
  const number = random(10, 100);
  const choices = [number];
  while (choices.length < PUSH_CHOICES) {
    const decoy = random(10, 100);
    if (!choices.includes(decoy)) choices.push(decoy);
  }
  // Fisher–Yates, so the right number's position says nothing.
  for (let i = choices.length - 1; i > 0; i--) {
    const j = random(0, i + 1);
    [choices[i], choices[j]] = [choices[j] as number, choices[i] as number];
  }
  return { number, choices };
}
