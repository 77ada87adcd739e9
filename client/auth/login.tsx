// The sign-in page, also the user switcher of a shared device: everyone who signed in here is listed
// with their own queued changes, and picks themselves to sign in (offline too, with their password).
import { useRef, useState } from 'preact/hooks';
import { useApp } from '../app-state';
import { FormError, TextField } from '../ui/components';
import { NO_ERRORS, useAction } from '../ui/form';

export default function LoginPage() {
  const app = useApp();
  const users = app.deviceUsers.value;
  const [username, setUsername] = useState(users.find((u) => u.needsLogin)?.user.username ?? '');
  const [password, setPassword] = useState('');
  const { errors, busy, run, setErrors } = useAction();
  const form = useRef<HTMLFormElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (!username.trim()) fields.username = 'is required';
    if (!password) fields.password = 'is required';
    if (Object.keys(fields).length) return setErrors({ form: null, fields });
    setErrors(NO_ERRORS);
    await run(() => app.login(username, password));
  }

  function pick(name: string) {
    setUsername(name);
    setPassword('');
    setErrors(NO_ERRORS);
    form.current?.querySelector<HTMLInputElement>('input[type=password]')?.focus();
  }

  return (
    <div class="login">
      <div class="logo">
        <img src="/icon-192.png" alt="" width={64} height={64} />
        <div>
          <h1 style="margin:0">Barron PMS</h1>
          <span class="muted">Production management</span>
        </div>
      </div>
      {users.length > 0 && (
        <section aria-labelledby="device-users">
          <h2 id="device-users">On this device</h2>
          <div class="device-users">
            {users.map((u) => (
              <button type="button" class="device-user" key={u.userId} aria-pressed={username === u.user.username} onClick={() => pick(u.user.username)}>
                <span>
                  <strong>{u.user.displayName}</strong>
                  <br />
                  <span class="small muted">{u.user.username} · {u.user.role}{u.needsLogin ? ' · must sign in again' : ''}</span>
                </span>
                <span class={u.pending ? 'local' : 'small muted'}>{u.pending ? `${u.pending} queued` : 'all sent'}</span>
              </button>
            ))}
          </div>
        </section>
      )}
      <form class="card" ref={form} onSubmit={submit} noValidate>
        <h2>Sign in</h2>
        <FormError message={errors.form} />
        <TextField label="Username" name="username" autoComplete="username" autoCapitalize="none" spellcheck={false}
          value={username} onValue={setUsername} error={errors.fields.username} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password"
          value={password} onValue={setPassword} error={errors.fields.password} />
        <button class="btn primary big wide" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="small muted" style="margin-top:12px">
          {app.online.value ? 'Online.' : 'Offline: only people who signed in on this device before can sign in now.'}
        </p>
      </form>
    </div>
  );
}
