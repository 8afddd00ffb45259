/**
 * The kiosk's route tree: attract → language → identify → account → pay bills or buy
 * electricity → QR → deliver → rate → done. The visit, its rules and its timeouts live in the
 * core (kiosk.* methods, docs/kiosk.md); this tree projects them onto touch screens and keeps only
 * UI state: the step shown, the visit's language, large text and voice.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskAccountView, KioskOrderView, KioskVendQuoteView, KioskVisitView, OperatorView, SystemInfoView, WireError } from '../../../main/contract/index.js';
import { bridge } from '../bridge';
import { setLanguage, type Language } from '../i18n';
import { call, onSessionEnded, useErrorText } from '../rpc';
import { AccountScreen } from './account-screen';
import { AttractScreen } from './attract-screen';
import { DeliverScreen, type DeliverPhase } from './deliver-screen';
import { DoneScreen } from './done-screen';
import { Frame } from './frame';
import { IdentifyScreen, VerifyScreen } from './identify-screen';
import { IdleWarning, useIdle } from './idle';
import { kcall, onVisitGone, useKioskStatus } from './kiosk-calls';
import { defaultPrefs, type KioskPrefs } from './kiosk-prefs';
import { LanguageScreen } from './language-screen';
import { Notices, type NoticeKind } from './notices';
import { OutOfServiceScreen } from './out-of-service';
import { BillsScreen, BuyScreen, ConfirmVend } from './pay-screens';
import { PendingScreen } from './pending-screen';
import { QrScreen, type OrderRequest, type QrOutcome } from './qr-screen';
import { RateScreen } from './rate-screen';
import { StaffCorner, StaffScreen, StaffSignIn } from './staff-exit';
import { silence, speechAvailable, usePrompt } from './voice';
import './kiosk.css';

type Step =
  | { readonly kind: 'attract' }
  | { readonly kind: 'language' }
  | { readonly kind: 'identify' }
  | { readonly kind: 'verify' }
  | { readonly kind: 'account' }
  | { readonly kind: 'bills' }
  | { readonly kind: 'buy' }
  | { readonly kind: 'confirm'; readonly amount: string; readonly quote: KioskVendQuoteView }
  | { readonly kind: 'qr'; readonly request: OrderRequest; readonly toCard: boolean; readonly back: Step }
  | { readonly kind: 'deliver'; readonly order: KioskOrderView; readonly toCard: boolean }
  | { readonly kind: 'rate'; readonly transactionId: string; readonly takeCard: boolean; readonly takeReceipt: boolean }
  | { readonly kind: 'done'; readonly takeCard: boolean; readonly takeReceipt: boolean };

/** The staff exit: keying the ID and PIN, then diagnostics and supplies as that staff member. */
type Staff = { readonly kind: 'signIn' } | { readonly kind: 'screen'; readonly operator: OperatorView };

/** Until `kiosk.status` answers: the contract's minimums. */
const FALLBACK_IDLE = { warnAfterMs: 60_000, responseMs: 30_000 } as const;
/** Touches tell the core the visit is alive at most this often (its idle limit counts calls). */
const KEEPALIVE_MS = 15_000;

export function KioskApp({ info }: { readonly info: SystemInfoView }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { status, refresh } = useKioskStatus();
  const defaultLocale = status?.defaultLocale ?? info.defaultLocale;
  const [prefs, setPrefsState] = useState<KioskPrefs>(() => defaultPrefs(info.defaultLocale));
  const [step, setStep] = useState<Step>({ kind: 'attract' });
  const [visit, setVisit] = useState<KioskVisitView | null>(null);
  const [account, setAccount] = useState<KioskAccountView | null>(null);
  const [flash, setFlash] = useState<WireError | null>(null);
  const [busy, setBusy] = useState(false);
  const [deliverPhase, setDeliverPhase] = useState<DeliverPhase>('working');
  const [staff, setStaff] = useState<Staff | null>(null);
  const visitRef = useRef<KioskVisitView | null>(null);
  visitRef.current = visit;
  const voiceOk = speechAvailable();

  const setPrefs = useCallback((p: KioskPrefs) => {
    setLanguage(p.lang);
    if (!p.voice) silence();
    setPrefsState(p);
  }, []);

  // A new visit starts from the terminal's defaults; nothing of the last customer's survives.
  const reset = useCallback(() => {
    silence();
    setVisit(null);
    setAccount(null);
    setFlash(null);
    setBusy(false);
    setPrefs(defaultPrefs(defaultLocale));
    setStep({ kind: 'attract' });
    refresh();
  }, [defaultLocale, setPrefs, refresh]);

  /** Cancel at any step: the core ends the visit (cancelling an unpaid order), then back to the start. */
  const endVisit = useCallback(async () => {
    const v = visitRef.current;
    if (v) await kcall('kiosk.end', { visitId: v.visitId });
    reset();
  }, [reset]);

  // Staff leave (the button, the staff screen's idle limit, the core ending their session): the
  // session is signed back to the kiosk before the attract screen shows again.
  const leaveStaff = useCallback(async () => {
    await call('session.signOut', {});
    setStaff(null);
    reset();
  }, [reset]);
  const openStaff = useCallback(() => {
    silence();
    setFlash(null);
    setStaff({ kind: 'signIn' });
  }, []);
  useEffect(() => onSessionEnded(() => void leaveStaff()), [leaveStaff]);

  useEffect(() => setLanguage(prefs.lang), [prefs.lang]);
  useEffect(() => onVisitGone(reset), [reset]);
  useEffect(
    () =>
      bridge.subscribe('kiosk.visitEnded', (e) => {
        if (e.visitId === visitRef.current?.visitId) reset();
      }),
    [reset],
  );

  const waitingOnKiosk = step.kind === 'qr' || (step.kind === 'deliver' && (deliverPhase === 'working' || deliverPhase === 'writing'));
  const lastKeepalive = useRef(0);
  const idle = useIdle({
    enabled: visit !== null && step.kind !== 'attract' && step.kind !== 'done' && !waitingOnKiosk,
    idleMs: status?.idle.warnAfterMs ?? FALLBACK_IDLE.warnAfterMs,
    warnMs: status?.idle.responseMs ?? FALLBACK_IDLE.responseMs,
    onTimeout: () => void endVisit(),
    onActivity: () => {
      const v = visitRef.current;
      if (!v || Date.now() - lastKeepalive.current < KEEPALIVE_MS) return;
      lastKeepalive.current = Date.now();
      void kcall('kiosk.extend', { visitId: v.visitId });
    },
  });

  const staffIdle = useIdle({
    enabled: staff !== null,
    idleMs: status?.idle.warnAfterMs ?? FALLBACK_IDLE.warnAfterMs,
    warnMs: status?.idle.responseMs ?? FALLBACK_IDLE.responseMs,
    onTimeout: () => void leaveStaff(),
  });

  const promptKey = idle.warning ? 'idle' : step.kind === 'deliver' ? deliverPhase : step.kind;
  usePrompt(prefs.voice && voiceOk && step.kind !== 'attract', prefs.lang, promptKey, t(`kiosk.voice.${promptKey}`, { defaultValue: '' }));

  const loadAccount = useCallback(async (v: KioskVisitView) => {
    const r = await kcall('kiosk.account', { visitId: v.visitId });
    if (r.ok) {
      setAccount(r.result);
      setStep({ kind: 'account' });
    } else setFlash(r.error);
  }, []);

  const begin = async () => {
    setBusy(true);
    const r = await kcall('kiosk.begin', { locale: defaultLocale });
    setBusy(false);
    if (!r.ok) {
      setFlash(r.error);
      refresh();
      return;
    }
    setFlash(null);
    setVisit(r.result);
    lastKeepalive.current = Date.now();
    // A paid transaction not delivered yet comes first.
    if (r.result.order && (r.result.state === 'paid' || r.result.order.state === 'paid')) {
      setStep({ kind: 'deliver', order: r.result.order, toCard: status?.pending?.needs === 'card' });
    } else setStep({ kind: 'language' });
  };

  const chooseLanguage = async (lang: Language) => {
    setPrefs({ ...prefs, lang });
    if (visit) {
      const r = await kcall('kiosk.setLocale', { visitId: visit.visitId, locale: lang });
      if (r.ok) setVisit(r.result);
    }
  };

  const qrOutcome = (o: QrOutcome, back: Step, toCard: boolean) => {
    if (o.kind === 'paid') {
      setStep({ kind: 'deliver', order: o.order, toCard });
      return;
    }
    setFlash(o.error);
    setStep(back);
  };

  // ---- screens -------------------------------------------------------------------------------
  if (staff === null && status && !status.inService && step.kind === 'attract') {
    return (
      <div className="k-root" data-testid="kiosk" data-step="outOfService" data-lang={prefs.lang}>
        <OutOfServiceScreen hotline={status.hotline} reasonKey={status.outOfServiceReason?.i18nKey ?? null} />
        <StaffCorner onOpen={openStaff} />
      </div>
    );
  }

  const frame = (testId: string, title: string, children: ReactNode, opts: { back?: () => void; cancel?: boolean; notices?: readonly NoticeKind[] } = {}) => (
    <Frame
      testId={testId}
      title={title}
      prefs={prefs}
      voiceAvailable={voiceOk}
      onPrefs={setPrefs}
      onLanguage={() => void chooseLanguage(prefs.lang === 'zh-CN' ? 'en' : 'zh-CN')}
      onBack={opts.back}
      onCancel={opts.cancel === false ? undefined : () => void endVisit()}
      notices={
        <>
          {opts.notices && <Notices status={status} show={opts.notices} />}
          {flash && (
            <p className="k-error" role="alert" data-testid="flash-error">
              {errorText(flash)}
            </p>
          )}
        </>
      }
    >
      {children}
    </Frame>
  );

  const go = (s: Step) => {
    setFlash(null);
    setStep(s);
  };

  if (staff !== null) {
    const staffFrame = (
      <Frame
        testId={staff.kind === 'signIn' ? 'staff-signin-step' : 'staff-step'}
        title={t(staff.kind === 'signIn' ? 'kiosk.staff.signInTitle' : 'kiosk.staff.title')}
        prefs={prefs}
        voiceAvailable={false}
        onPrefs={setPrefs}
        onLanguage={() => setPrefs({ ...prefs, lang: prefs.lang === 'zh-CN' ? 'en' : 'zh-CN' })}
        onBack={staff.kind === 'signIn' ? () => void leaveStaff() : undefined}
      >
        {staff.kind === 'signIn' ? (
          <StaffSignIn onSignedIn={(operator) => setStaff({ kind: 'screen', operator })} />
        ) : (
          <StaffScreen operator={staff.operator} onExit={() => void leaveStaff()} />
        )}
      </Frame>
    );
    return (
      <div className={prefs.large ? 'k-root k-large' : 'k-root'} data-testid="kiosk" data-step={staff.kind === 'signIn' ? 'staffSignIn' : 'staff'} data-lang={prefs.lang}>
        {staffFrame}
        <IdleWarning state={staffIdle} />
      </div>
    );
  }

  let screen: ReactNode;
  switch (step.kind) {
    case 'attract': {
      const zh = t('kiosk.notices.qr', { lng: 'zh-CN' });
      const en = t('kiosk.notices.qr', { lng: 'en' });
      const qrDown = status !== null && !status.capabilities.qr.available;
      screen = (
        <>
          {status?.pending ? (
            <PendingScreen pending={status.pending} onGo={() => void begin()} busy={busy} />
          ) : (
            <AttractScreen onStart={() => void begin()} notice={flash ? errorText(flash) : qrDown ? `${zh} ${en}` : null} />
          )}
          <StaffCorner onOpen={openStaff} />
        </>
      );
      break;
    }
    case 'language':
      screen = (
        <LanguageScreen
          onChoose={(lang) => {
            void chooseLanguage(lang);
            go({ kind: 'identify' });
          }}
          onCancel={() => void endVisit()}
        />
      );
      break;
    case 'identify':
      screen = visit && frame('identify', t('kiosk.identify.title'), <IdentifyScreen visitId={visit.visitId} status={status} onIdentified={(v) => {
        setVisit(v);
        void loadAccount(v);
      }} />, { back: () => go({ kind: 'language' }), notices: ['qr', 'offline'] });
      break;
    case 'verify':
      screen = visit && frame('verify', t('kiosk.verify.title'), <VerifyScreen visit={visit} onVerified={(v) => {
        setVisit(v);
        void loadAccount(v);
      }} />, { back: () => go({ kind: 'account' }) });
      break;
    case 'account': {
      const kindNotice: NoticeKind[] = account?.vendMeter?.kind === 'card' ? ['cardTopUp'] : account?.vendMeter ? ['buyToken'] : [];
      screen =
        visit &&
        account &&
        frame(
          'account-step',
          t('kiosk.account.title', { accountNo: account.accountNo }),
          <AccountScreen
            account={account}
            visit={visit}
            status={status}
            timeZone={info.timeZone}
            actions={{ onPayBills: () => go({ kind: 'bills' }), onBuy: () => go({ kind: 'buy' }), onVerify: () => go({ kind: 'verify' }) }}
          />,
          { back: () => go({ kind: 'identify' }), notices: ['qr', ...(account.openBills.length > 0 ? (['payBills'] as const) : []), ...kindNotice, 'print', 'offline'] },
        );
      break;
    }
    case 'bills':
      screen =
        visit &&
        account &&
        frame(
          'bills-step',
          t('kiosk.bills.title'),
          <BillsScreen
            visitId={visit.visitId}
            account={account}
            onPay={(bills, quote) =>
              go({ kind: 'qr', toCard: false, back: { kind: 'bills' }, request: { visitId: visit.visitId, what: 'bills', bills: bills === 'all' ? 'all' : [...bills], quoteDigest: quote.quoteDigest } })
            }
          />,
          { back: () => go({ kind: 'account' }), notices: ['print'] },
        );
      break;
    case 'buy':
      screen =
        visit &&
        account &&
        frame(
          'buy-step',
          t('kiosk.buy.title'),
          <BuyScreen visitId={visit.visitId} toCard={account.vendMeter?.kind === 'card'} onQuoted={(amount, quote) => go({ kind: 'confirm', amount, quote })} />,
          { back: () => go({ kind: 'account' }), notices: ['print', 'offline'] },
        );
      break;
    case 'confirm':
      screen =
        visit &&
        frame(
          'confirm-step',
          t('kiosk.confirm.title'),
          <ConfirmVend
            quote={step.quote}
            onPay={() =>
              go({ kind: 'qr', toCard: step.quote.delivery === 'card', back: step, request: { visitId: visit.visitId, what: 'vend', amount: step.amount, quoteDigest: step.quote.quoteDigest } })
            }
          />,
          { back: () => go({ kind: 'buy' }), notices: ['print', 'offline'] },
        );
      break;
    case 'qr':
      screen = frame(
        'qr-step',
        t('kiosk.qr.title'),
        <QrScreen
          request={step.request}
          onOutcome={(o) => qrOutcome(o, step.back, step.toCard)}
          onCancelled={() => {
            if (visit) void loadAccount(visit);
          }}
        />,
        { cancel: false },
      );
      break;
    case 'deliver': {
      const deliverDone = deliverPhase === 'token' || deliverPhase === 'card' || deliverPhase === 'billsPaid';
      screen =
        visit &&
        frame(
          'deliver-step',
          t(deliverPhase === 'billsPaid' ? 'kiosk.deliver.billsTitle' : deliverDone ? 'kiosk.deliver.doneTitle' : 'kiosk.deliver.title'),
          <DeliverScreen
            visitId={visit.visitId}
            order={step.order}
            toCard={step.toCard}
            onPhase={setDeliverPhase}
            onNext={(o) => {
              const takeCard = step.toCard;
              const takeReceipt = o.delivery?.printed === true;
              if (o.transactionId) go({ kind: 'rate', transactionId: o.transactionId, takeCard, takeReceipt });
              else go({ kind: 'done', takeCard, takeReceipt });
            }}
          />,
          { cancel: deliverDone },
        );
      break;
    }
    case 'rate':
      screen =
        visit &&
        frame(
          'rate-step',
          t('kiosk.rate.title'),
          <RateScreen visitId={visit.visitId} transactionId={step.transactionId} onDone={() => go({ kind: 'done', takeCard: step.takeCard, takeReceipt: step.takeReceipt })} />,
        );
      break;
    case 'done':
      screen = frame('done-step', t('kiosk.done.title'), <DoneScreen onHome={() => void endVisit()} takeCard={step.takeCard} takeReceipt={step.takeReceipt} />, { cancel: false });
      break;
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }

  return (
    <div className={prefs.large ? 'k-root k-large' : 'k-root'} data-testid="kiosk" data-step={step.kind} data-lang={prefs.lang}>
      {screen}
      <IdleWarning state={idle} />
    </div>
  );
}
