import { useTranslation } from 'react-i18next';

/** The approving supervisor's id and PIN, typed at this counter (SupervisorApprovalFields). */
export function SupervisorFields({
  id,
  pin,
  onId,
  onPin,
  disabled,
}: {
  readonly id: string;
  readonly pin: string;
  readonly onId: (v: string) => void;
  readonly onPin: (v: string) => void;
  readonly disabled: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="row approval">
      <label>
        {t('payments.approval.supervisorId')}
        <input data-testid="supervisor-id" value={id} onChange={(e) => onId(e.target.value)} readOnly={disabled} autoComplete="off" />
      </label>
      <label>
        {t('payments.approval.supervisorPin')}
        <input data-testid="supervisor-pin" type="password" inputMode="numeric" value={pin} onChange={(e) => onPin(e.target.value)} readOnly={disabled} autoComplete="off" />
      </label>
    </div>
  );
}
