/**
 * On-screen numeric keypad: the kiosk has no keyboard. Digits, optional decimal point, delete,
 * clear and a confirm key; the value is shown large above it and announced politely. A physical
 * keyboard (technician, tests) drives the same actions.
 */
import { useEffect, useId } from 'react';
import { useTranslation } from 'react-i18next';

export interface KeypadProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onSubmit?: () => void;
  /** Visible label of the value (e.g. "Account or meter number"). */
  readonly label: string;
  readonly maxLength: number;
  /** Money: allows one decimal point and at most two decimals. */
  readonly decimal?: boolean;
  readonly submitLabel?: string;
  readonly submitDisabled?: boolean;
  /** Shown in the display while empty. */
  readonly placeholder?: string;
  /** Display prefix, e.g. "¥". */
  readonly prefix?: string;
  readonly testId?: string;
  /** A secret (a PIN): the display and its announcement show one dot per digit. */
  readonly mask?: boolean;
}

/** The value after pressing `key`, or the same value when the key is not allowed there. */
export function pressKey(value: string, key: string, maxLength: number, decimal: boolean): string {
  if (key === 'del') return value.slice(0, -1);
  if (key === 'clear') return '';
  if (key === '.') {
    if (!decimal || value.includes('.')) return value;
    return value === '' ? '0.' : value + '.';
  }
  if (!/^\d$/.test(key) || value.length >= maxLength) return value;
  if (decimal) {
    const dot = value.indexOf('.');
    if (dot >= 0 && value.length - dot > 2) return value;
    if (value === '0') return key;
  }
  return value + key;
}

const DIGIT_ROWS = [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9']] as const;

export function Keypad(props: KeypadProps) {
  const { t } = useTranslation();
  const { value, onChange, onSubmit, maxLength, decimal = false, testId = 'keypad' } = props;
  const labelId = useId();
  const press = (key: string) => onChange(pressKey(value, key, maxLength, decimal));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (/^\d$/.test(e.key) || e.key === '.') onChange(pressKey(value, e.key, maxLength, decimal));
      else if (e.key === 'Backspace') onChange(pressKey(value, 'del', maxLength, decimal));
      else if (e.key === 'Enter' && onSubmit && !props.submitDisabled && value !== '') {
        // Enter on a focused button activates that button instead.
        if (target?.tagName === 'BUTTON') return;
        onSubmit();
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [value, onChange, onSubmit, maxLength, decimal, props.submitDisabled]);

  return (
    <div className="k-keypad" data-testid={testId} role="group" aria-labelledby={labelId}>
      <div className="k-keypad-display">
        <span id={labelId} className="k-keypad-label">
          {props.label}
        </span>
        <output className="k-keypad-value" data-testid={`${testId}-value`} aria-live="polite">
          {value === '' ? <span className="k-placeholder">{props.placeholder ?? '\u00a0'}</span> : props.mask ? '•'.repeat(value.length) : `${props.prefix ?? ''}${value}`}
        </output>
      </div>
      <div className="k-keys">
        {DIGIT_ROWS.flat().map((d) => (
          <button type="button" key={d} className="k-key" onClick={() => press(d)} data-testid={`${testId}-${d}`}>
            {d}
          </button>
        ))}
        {decimal ? (
          <button type="button" className="k-key" onClick={() => press('.')} data-testid={`${testId}-dot`} aria-label={t('kiosk.keypad.dot')}>
            .
          </button>
        ) : (
          <button type="button" className="k-key k-key-fn" onClick={() => press('clear')} data-testid={`${testId}-clear`}>
            {t('kiosk.keypad.clear')}
          </button>
        )}
        <button type="button" className="k-key" onClick={() => press('0')} data-testid={`${testId}-0`}>
          0
        </button>
        <button type="button" className="k-key k-key-fn" onClick={() => press('del')} data-testid={`${testId}-del`} aria-label={t('kiosk.keypad.delete')}>
          ⌫
        </button>
      </div>
      {onSubmit && (
        <button
          type="button"
          className="k-primary k-keypad-ok"
          onClick={onSubmit}
          disabled={props.submitDisabled === true || value === ''}
          data-testid={`${testId}-ok`}
        >
          {props.submitLabel ?? t('kiosk.keypad.ok')}
        </button>
      )}
    </div>
  );
}
