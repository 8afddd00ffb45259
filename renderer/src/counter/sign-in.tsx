import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperatorView, WireError } from '../../../main/contract/index.js';
import { call, useErrorText } from '../rpc';

/** `notice`: why the previous session ended (idle timeout, removed from the staff list), if it did. */
export function SignIn({ onSignedIn, notice = null }: { onSignedIn: (op: OperatorView) => void; notice?: WireError | null }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [operatorId, setOperatorId] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const r = await call('session.signIn', { operatorId, pin });
    setBusy(false);
    if (r.ok) onSignedIn(r.result);
    else {
      setError(r.error);
      setPin('');
    }
  };

  return (
    <form className="card narrow" onSubmit={(e) => void submit(e)} data-testid="sign-in">
      <h1>{t('signIn.title')}</h1>
      {notice && !error && <p className="notice" role="status" data-testid="session-ended">{errorText(notice)}</p>}
      <label>
        {t('signIn.operatorId')}
        <input data-testid="operator-id" value={operatorId} onChange={(e) => {
            setOperatorId(e.target.value);
            setError(null);
          }} autoFocus autoComplete="off" />
      </label>
      <label>
        {t('signIn.pin')}
        <input data-testid="pin" type="password" inputMode="numeric" value={pin} onChange={(e) => {
            setPin(e.target.value);
            setError(null);
          }} autoComplete="off" />
      </label>
      {error && <p className="error" role="alert" data-testid="error">{errorText(error)}</p>}
      <button type="submit" disabled={busy || !operatorId || !pin} data-testid="sign-in-submit">
        {t('signIn.submit')}
      </button>
    </form>
  );
}
