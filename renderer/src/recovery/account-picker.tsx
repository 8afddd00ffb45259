import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The account a section works on: taken from the worklist's row, or typed. */
export function AccountPicker({ accountNo, onOpen, testId }: { accountNo: string | null; onOpen: (no: string) => void; testId: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(accountNo ?? '');
  useEffect(() => setText(accountNo ?? ''), [accountNo]);
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); if (text.trim()) onOpen(text.trim()); }}>
      <label>
        {t('collection.ui.chooseAccount')}
        <input data-testid={testId} inputMode="numeric" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="submit" className="secondary">{t('collection.ui.open')}</button>
    </form>
  );
}
