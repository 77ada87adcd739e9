// The password rule, wherever a password is set: the admin API (create, reset), the create-admin
// command and the admin forms. Logging in with a password set before the rule keeps working.
import * as v from 'valibot';

export const PASSWORD_MIN_CHARACTERS = 10;
/** bcrypt reads only the first 72 bytes; a longer password is refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;

/**
 * Passwords (and stems of passwords, what is left with digits and signs trimmed off the ends) that
 * guessing tools try first. Short entries matter as stems: "Password2026!" is refused for "password".
 */
const COMMON = new Set(`
password passw0rd passwort motdepasse contraseña wachtwoord salasana haslo senha parola
qwerty qwertz azerty qwertyuiop qwertyuiopasdfghjkl asdfgh asdfghjkl asdfghjkl; zxcvbn zxcvbnm
qazwsx qazwsxedc 1qaz2wsx 1qaz2wsx3edc zaq1zaq1 zaq12wsx q1w2e3r4 q1w2e3r4t5 q1w2e3r4t5y6 1q2w3e4r 1q2w3e4r5t
1q2w3e 1q2w3e4r5t6y abc123 abcd1234 a1b2c3d4 a1b2c3d4e5 aa123456 qwe123 qweasd qweasdzxc asd123 zxc123
1234567890 0987654321 0123456789 9876543210 12345678910 123456789012 1234512345 1122334455 1212121212
1357924680 1472583690 7894561230 1234554321 5555555555 1231231234 2000000000 1029384756 6543211234
iloveyou iloveyou2 loveyou lovely loveme letmein letmeinnow welcome welcome1 welcomehome hello hello123
helloworld admin administrator administrador root toor superuser sysadmin system manager operator
supervisor technician changeme changeit default secret topsecret private access login logon signin
guest user username test tester testing demo example sample nothing nopassword blank whatever
trustno1 master mastermind monkey dragon shadow sunshine princess superman batman spiderman ironman
football baseball basketball soccer hockey golfer tennis cricket rugby chelsea liverpool arsenal
michael jennifer jessica ashley nicole daniel andrew thomas robert charlie jordan hunter ranger
buster tigger ginger pepper maggie bailey harley cookie summer winter spring autumn monday friday
january february march april august september october november december christmas holiday
freedom liberty justice matrix starwars pokemon minecraft fortnite computer internet samsung
google facebook apple microsoft windows linux mustang ferrari porsche corvette harley killer
flower rainbow butterfly angel jesus jesus1 blessed heaven lucky lucky7 money cash bitcoin
qwerty1 qwerty12 qwerty123 qwerty1234 qwerty12345 password1 password12 password123 password1234
passwordpassword pass pass123 pass1234 mypassword newpassword oldpassword yourpassword
barron barronpms barron-pms barron_pms pms production factory plant company office work
`.trim().split(/\s+/));

/** The rule in one line, for a form's hint. */
export const PASSWORD_HINT = `At least ${PASSWORD_MIN_CHARACTERS} characters (at most ${PASSWORD_MAX_BYTES} bytes); not the username, not a common password.`;

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '8': 'b', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't' };

/** What is left of a password with digits, signs and spaces trimmed off both ends. */
const stem = (s: string) => s.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
const unleet = (s: string) => [...s].map((ch) => LEET[ch] ?? ch).join('');

/** One character repeated, a run like "abcdefghij" or "9876543210", or a short chunk repeated ("abcabcabcabc"). */
function isPattern(s: string): boolean {
  const codes = [...s].map((ch) => ch.codePointAt(0)!);
  const step = codes[1] - codes[0];
  if (Math.abs(step) <= 1 && codes.every((c, i) => i === 0 || c - codes[i - 1] === step)) return true;
  return /^(.{1,4})\1+$/su.test(s);
}

function isCommon(password: string): boolean {
  const lower = password.toLowerCase();
  const candidates = [lower, stem(lower), unleet(lower), stem(unleet(lower)), unleet(stem(lower))];
  return isPattern(lower) || candidates.some((c) => c !== '' && COMMON.has(c));
}

export const PASSWORD_USERNAME_MESSAGE = 'must not contain the username';

/**
 * The username part of the rule alone, for a schema that checks both fields together: the password
 * is the username or holds it (a username of one or two letters only as the whole password).
 */
export function containsUsername(password: string, username: string): boolean {
  const name = username.trim().toLowerCase();
  const p = password.toLowerCase();
  return name !== '' && (p === name || (name.length >= 3 && p.includes(name)));
}

/**
 * Why `password` may not be set (for a user called `username`, if known), as a field message:
 * "must be at least 10 characters"; undefined when it may.
 */
export function passwordProblem(password: string, username?: string): string | undefined {
  if ([...password].length < PASSWORD_MIN_CHARACTERS) return `must be at least ${PASSWORD_MIN_CHARACTERS} characters`;
  const bytes = new TextEncoder().encode(password).length;
  if (bytes > PASSWORD_MAX_BYTES) {
    return `must be at most ${PASSWORD_MAX_BYTES} bytes (this one is ${bytes}; letters like é take 2, emoji 4), since the rest would be ignored`;
  }
  if (username !== undefined && containsUsername(password, username)) return PASSWORD_USERNAME_MESSAGE;
  if (isCommon(password)) return 'is too common or too easy to guess: try a few unrelated words';
  return undefined;
}

/** The rule as a valibot field schema, for the parts that need no username. */
export const PasswordSchema = v.pipe(
  v.string(),
  v.check((p) => passwordProblem(p) === undefined, (issue) => passwordProblem(String(issue.input)) ?? 'is not allowed'),
);
