import { useTranslation } from 'react-i18next';
import type { VendSplitView } from '../../../main/contract/index.js';
import { formatFen } from '../format';
import { formatCkwh, formatPrice } from './format-energy';

/** The split of a purchase: channel fee → arrears → fixed charges → energy (per tier), and the rounding rule. */
export function SplitTable({ split }: { readonly split: VendSplitView }) {
  const { t } = useTranslation();
  const tier = split.tierAfter;
  return (
    <div data-testid="vend-split">
      <p className="split-sentence" data-testid="split-sentence">
        {t('vending.topup.splitSentence', {
          amount: formatFen(split.amountFen),
          arrears: formatFen(split.arrearsFen),
          energyMoney: formatFen(split.energyFen),
          kwh: formatCkwh(split.energyCkwh),
        })}
        {t('vending.topup.sep')}
        {tier.remainingInTierCkwh === null
          ? t('vending.topup.tierOpen', { tier: tier.tier })
          : t('vending.topup.tierLeft', { kwh: formatCkwh(tier.remainingInTierCkwh), tier: tier.tier })}
      </p>
      <table className="split">
        <tbody>
          {split.channelFeeFen > 0 && (
            <tr>
              <td>{t('vending.topup.channelFee')}</td>
              <td className="num">{formatFen(split.channelFeeFen)}</td>
            </tr>
          )}
          <tr>
            <td>{t('vending.topup.arrears')}</td>
            <td className="num" data-testid="split-arrears">{formatFen(split.arrearsFen)}</td>
          </tr>
          {split.debtBeforeFen > 0 && (
            <tr className="sub">
              <td>{t('vending.topup.debtLeft')}</td>
              <td className="num">{formatFen(split.debtAfterFen)}</td>
            </tr>
          )}
          {split.fixedCharges.map((c) => (
            <tr key={c.chargeId}>
              <td>{t(c.nameKey)}</td>
              <td className="num">{formatFen(c.fen)}</td>
            </tr>
          ))}
          <tr>
            <td>{t('vending.topup.energyMoney')}</td>
            <td className="num">{formatFen(split.energyFen)}</td>
          </tr>
          {split.blocks.map((b) => (
            <tr className="sub" key={b.tier}>
              <td>{t('vending.topup.block', { tier: b.tier, price: formatPrice(b.centifenPerKwh) })}</td>
              <td className="num">
                {formatCkwh(b.energyCkwh)} kWh · {formatFen(b.fen)}
              </td>
            </tr>
          ))}
          {split.remainderFen > 0 && (
            <tr>
              <td>{t('vending.topup.remainder')}</td>
              <td className="num">{formatFen(split.remainderFen)}</td>
            </tr>
          )}
          <tr className="split-total">
            <td>{t('vending.topup.energy')}</td>
            <td className="num" data-testid="split-energy">{formatCkwh(split.energyCkwh)} kWh</td>
          </tr>
          <tr className="sub">
            <td>{t('vending.topup.rounding')}</td>
            <td className="num">{t(split.roundingRuleKey)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
