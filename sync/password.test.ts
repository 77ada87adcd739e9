import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password';

describe('the password rule', () => {
  it('accepts a long password of unrelated words, and one of exactly 72 bytes', () => {
    for (const p of ['correct-horse-battery', 'brand-new-pass', 'Rotor blade 7 on line 3']) {
      expect(passwordProblem(p, 'operator.press'), p).toBeUndefined();
    }
    const umlauts = 'Grüße aus Köln, Düsseldorf und München: Schöne Tage im Märzen';
    expect([new TextEncoder().encode(`${umlauts}!!!!`).length, [...`${umlauts}!!!!`].length]).toEqual([72, 65]);
    expect(passwordProblem(`${umlauts}!!!!`)).toBeUndefined();
    expect(passwordProblem(`${umlauts}!!!!!`)).toMatch(/^must be at most 72 bytes \(this one is 73/);
  });

  it('refuses fewer than 10 characters, counting characters rather than bytes', () => {
    expect(passwordProblem('demo1234')).toBe('must be at least 10 characters');
    expect(passwordProblem('ü'.repeat(9))).toBe('must be at least 10 characters'); // 18 bytes, 9 characters
  });

  it('refuses more than 72 UTF-8 bytes instead of letting bcrypt cut the rest off silently', () => {
    expect(passwordProblem('a-long-and-unusual-passphrase-'.repeat(3))).toMatch(/^must be at most 72 bytes \(this one is 90/);
    expect(passwordProblem('ü'.repeat(37))).toMatch(/^must be at most 72 bytes \(this one is 74/); // 37 characters
  });

  it('refuses common passwords and their dressed-up forms', () => {
    for (const p of ['password123', 'Password2026!', 'P@ssw0rd2026', '1234567890', 'qwertyuiop', 'iloveyou12', 'aaaaaaaaaaaa', 'abcdefghijk', 'abcabcabcabc', 'Welcome123!', 'letmein1234', '  barron-pms  ']) {
      expect(passwordProblem(p), p).toBe('is too common or too easy to guess: try a few unrelated words');
    }
  });

  it('refuses the username itself and a password containing it, in any letter case', () => {
    expect(passwordProblem('operator.press', 'operator.press')).toBe('must not contain the username');
    expect(passwordProblem('My-Operator.Press-2026', 'operator.press')).toBe('must not contain the username');
    // A very short username only as the whole password: "al" is in many good passwords.
    expect(passwordProblem('a-walk-along-the-canal', 'al')).toBeUndefined();
  });
});
