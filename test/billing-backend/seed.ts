/**
 * Deterministic demo data. Everything derives from (seed, account count, seed date) through one
 * mulberry32 stream consumed in a fixed order, so two runs with the same inputs produce the same
 * rows byte for byte. The first accounts have fixed profiles that docs/backend.md and the e2e
 * tests rely on; the rest are drawn from the distribution described there.
 */
import type {
  AccountSnapshot,
  BillSnapshot,
  CreditGrade,
  CustomerClass,
  MeterSnapshot,
  OperatorSnapshot,
  StsParams,
} from '../../main/wire/backend-wire.js';
import { addMonths, daysInMonth, dueDateOf, formatPeriod, parseDate, periodYear } from './calendar.js';
import { luhnCheckDigit } from './luhn.js';
import { generateHistory, type FixedHistory } from './history.js';
import { deterministicSalt, hashPin } from './pin-hash.js';
import { mulberry32, type Prng } from './prng.js';
import { billAmountFen, type TariffCode } from './tariff.js';

export const DEFAULT_SEED = 20261127;
export const DEFAULT_ACCOUNTS = 300;
export const DEFAULT_SEED_DATE = '2026-11-27';
export const FIRST_ACCOUNT_NO = 3100000001;
export const STS_IIN = '600727';
/** Bumped whenever the generator changes, so a stale database is not silently reused. */
export const GENERATOR_VERSION = 3;

export interface SeedParams {
  readonly seed: number;
  readonly accounts: number;
  /** The seed's "today", 'YYYY-MM-DD'. */
  readonly seedDate: string;
}

export interface SeedData {
  readonly operators: readonly OperatorSnapshot[];
  readonly accounts: readonly AccountSnapshot[];
}

export const DEMO_OPERATORS = [
  { operatorId: 'C001', name: '张敏', role: 'clerk', pin: '1234' },
  { operatorId: 'S001', name: '李强', role: 'supervisor', pin: '9999' },
  // The hall's inspector (稽查): read-only inspection, acknowledges a broken journal (docs/audit.md).
  { operatorId: 'A001', name: '王审', role: 'auditor', pin: '5555' },
  // The branch manager: the recovery desk (credit overrides, collection, dashboards).
  { operatorId: 'M001', name: '周静', role: 'manager', pin: '5678' },
] as const;

/** Profiles of the fixed demo accounts, by position (account 3100000001 is index 0). */
type Profile =
  | { kind: 'postpaid'; customerClass: CustomerClass; arrears: 'none' | 'current_year' | 'previous_year' | 'demo_two_open' | 'all_paid' }
  | { kind: 'sts'; baseDate: StsParams['baseDate']; sgc: string; drn?: string; arrears: boolean }
  | { kind: 'card'; generation: number; arrears: boolean };

const FIXED_PROFILES: readonly Profile[] = [
  { kind: 'postpaid', customerClass: 'residential', arrears: 'demo_two_open' },
  // DRN 00000000000 with SGC 123456, TI 01, KRN 1, key type 2 is DOMAIN.md's DKGA02 worked example.
  { kind: 'sts', baseDate: '1993-01-01', sgc: '123456', drn: '00000000000', arrears: false },
  { kind: 'sts', baseDate: '2014-01-01', sgc: '654321', arrears: false },
  { kind: 'card', generation: 2, arrears: false },
  { kind: 'postpaid', customerClass: 'residential', arrears: 'previous_year' },
  { kind: 'postpaid', customerClass: 'commercial', arrears: 'current_year' },
  { kind: 'postpaid', customerClass: 'residential', arrears: 'all_paid' },
  { kind: 'sts', baseDate: '2014-01-01', sgc: '123456', arrears: true },
];

/**
 * The fixed demo accounts' 24 months (docs/recovery.md): 3100000001 a chronic late payer, 3100000005
 * a chronic one with a breach and a disconnection (the lowest grade), 3100000006 seasonal,
 * 3100000007 a long-standing good payer, 3100000003 switched to prepaid ten months ago,
 * 3100000008 a last-minute prepaid buyer with a theft record and two cut-offs.
 */
const FIXED_HISTORIES: readonly FixedHistory[] = [
  { behaviour: 'chronic', sinceYearsAgo: 12 },
  { behaviour: 'steady', sinceYearsAgo: 8, prepaidMonthsAgo: 30 },
  { behaviour: 'steady', sinceYearsAgo: 3, prepaidMonthsAgo: 10 },
  { behaviour: 'steady', sinceYearsAgo: 15, prepaidMonthsAgo: 40 },
  { behaviour: 'chronic', sinceYearsAgo: 6, violations: ['breach'], cutoffs: 1 },
  { behaviour: 'seasonal', sinceYearsAgo: 4 },
  { behaviour: 'good', sinceYearsAgo: 18 },
  { behaviour: 'last_minute', sinceYearsAgo: 5, violations: ['theft'], cutoffs: 2 },
];

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔汤'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国红梅鹏飞玉兰志强海燕德海文博宇浩然子涵欣怡雨轩俊峰晓东立新淑珍凤琴春生永福振华'];
const DISTRICTS = ['湖滨区', '陕州区', '渑池县', '义马市', '灵宝市', '卢氏县'];
const ROADS = ['黄河中路', '崤山东路', '六峰路', '和平路', '上阳路', '甘棠北路', '大岭南路', '文明路', '建设路', '涧河路', '陕州大道', '五原路'];
const SHOPS = ['超市', '面馆', '五金店', '大药房', '理发店', '饭店', '烟酒店', '水果店', '洗车行', '快递站'];
const FIRMS = ['宏达', '鑫源', '华丰', '金泰', '永安', '豫西', '崤函', '天元'];
const FACTORIES = ['机械厂', '建材有限公司', '食品厂', '铝业有限公司', '包装材料厂'];
const FARMS = ['灌溉站', '养殖场', '苹果园', '蔬菜大棚'];
const VILLAGES = ['大营', '张湾', '磁钟', '交口', '高庙', '崖底', '原店', '西李'];
const MOBILE_PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '182', '183', '187', '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '180', '181', '189', '177', '199'];

const MONTHLY_KWH: Record<CustomerClass, readonly [number, number]> = {
  residential: [60, 420],
  commercial: [400, 3000],
  industrial: [3000, 20000],
  agricultural: [200, 1500],
};
const TARIFF_OF: Record<CustomerClass, TariffCode> = {
  residential: 'RES-TIER-M',
  commercial: 'COM-FLAT',
  industrial: 'IND-FLAT',
  agricultural: 'AGR-FLAT',
};

export function accountNoAt(index: number): string {
  return String(FIRST_ACCOUNT_NO + index);
}

export function generateSeed(params: SeedParams): SeedData {
  return { operators: demoOperators(), accounts: [...seedAccounts(params)] };
}

/** The demo staff (scrypt hashes computed once per process). */
export function demoOperators(): OperatorSnapshot[] {
  return DEMO_OPERATORS.map((o) => ({
    operatorId: o.operatorId,
    name: o.name,
    role: o.role,
    pinHash: demoPinHash(o.operatorId, o.pin),
    active: true,
  }));
}

/**
 * The seed's accounts one at a time, in account-number order: the same rows as `generateSeed`,
 * without holding them all, so a service area of a million accounts seeds in bounded memory (only
 * the set of numbers already handed out grows). `seedAccounts({ ...params, accounts: n })`.
 */
export function* seedAccounts(params: SeedParams): Generator<AccountSnapshot, void, undefined> {
  const rng = mulberry32(params.seed);
  const today = parseDate(params.seedDate);
  const ctx: GenContext = {
    seed: params.seed,
    seedDate: params.seedDate,
    rng,
    today,
    currentPeriod: addMonths(formatPeriod(today.y, today.m), -1),
    updatedAt: `${params.seedDate}T00:00:00.000Z`,
    used: new Set<string>(),
    billSeq: 0,
  };
  for (let i = 0; i < params.accounts; i++) {
    const account = generateAccount(ctx, i, FIXED_PROFILES[i] ?? drawProfile(rng));
    // Drawn apart from the main stream (which stays as it was): about 2% of accounts are closed.
    if (i >= FIXED_PROFILES.length && isClosedAt(params.seed, i)) account.status = 'closed';
    yield account;
  }
}

/** A closed account (moved out, service ended): ~2%, from a hash of (seed, index), never a fixed profile. */
function isClosedAt(seed: number, index: number): boolean {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2f);
  h ^= h >>> 15;
  return (h >>> 0) % 50 === 0;
}

// scrypt is deliberately slow; the demo hashes are deterministic, so compute each once per process.
const pinHashCache = new Map<string, string>();
function demoPinHash(operatorId: string, pin: string): string {
  const key = `${operatorId}:${pin}`;
  let hash = pinHashCache.get(key);
  if (hash === undefined) {
    hash = hashPin(pin, deterministicSalt(operatorId));
    pinHashCache.set(key, hash);
  }
  return hash;
}

interface GenContext {
  readonly seed: number;
  readonly seedDate: string;
  readonly rng: Prng;
  readonly today: { y: number; m: number; d: number };
  /** The last billed month: the month before today. */
  readonly currentPeriod: string;
  readonly updatedAt: string;
  /** Meter numbers, card numbers and phones already handed out. */
  readonly used: Set<string>;
  billSeq: number;
}

function drawProfile(rng: Prng): Profile {
  if (rng.chance(0.7)) {
    const r = rng.next();
    const customerClass: CustomerClass = r < 0.8 ? 'residential' : r < 0.94 ? 'commercial' : r < 0.97 ? 'industrial' : 'agricultural';
    const a = rng.next();
    const arrears = a < 0.05 ? 'all_paid' : a < 0.05 + 0.33 ? (rng.chance(0.3) ? 'previous_year' : 'current_year') : 'none';
    return { kind: 'postpaid', customerClass, arrears };
  }
  const arrears = rng.chance(0.15);
  if (rng.chance(0.5)) {
    return { kind: 'sts', baseDate: rng.chance(0.5) ? '1993-01-01' : '2014-01-01', sgc: rng.pick(['123456', '654321']), arrears };
  }
  return { kind: 'card', generation: rng.pick([1, 2]), arrears };
}

function unique(ctx: GenContext, make: () => string): string {
  for (;;) {
    const value = make();
    if (!ctx.used.has(value)) {
      ctx.used.add(value);
      return value;
    }
  }
}

function personName(rng: Prng): string {
  const given = rng.chance(0.7) ? rng.pick(GIVEN) + rng.pick(GIVEN) : rng.pick(GIVEN);
  return rng.pick(SURNAMES) + given;
}

function customerName(rng: Prng, customerClass: CustomerClass): string {
  switch (customerClass) {
    case 'residential':
      return personName(rng);
    case 'commercial':
      return `${rng.pick(SURNAMES)}记${rng.pick(SHOPS)}`;
    case 'industrial':
      return `三门峡${rng.pick(FIRMS)}${rng.pick(FACTORIES)}`;
    case 'agricultural':
      return `${rng.pick(VILLAGES)}村${rng.pick(FARMS)}`;
    default: {
      const exhaustive: never = customerClass;
      throw new Error(`unknown customer class ${String(exhaustive)}`);
    }
  }
}

function address(rng: Prng, customerClass: CustomerClass): string {
  const base = `河南省三门峡市${rng.pick(DISTRICTS)}${rng.pick(ROADS)}${rng.int(1, 399)}号`;
  return customerClass === 'residential'
    ? `${base}${rng.int(1, 24)}栋${rng.int(1, 4)}单元${rng.int(1, 18)}0${rng.int(1, 4)}室`
    : base;
}

/** Monthly consumption in 0.01 kWh with a summer and winter peak. */
function monthlyConsumption(rng: Prng, baseKwh: number, period: string): number {
  const month = Number(period.slice(5, 7));
  const seasonal = month === 7 || month === 8 || month === 12 || month === 1 ? 130 : 100;
  const wobble = rng.int(85, 115);
  return Math.floor((baseKwh * seasonal * wobble) / 100) + rng.int(0, 99);
}

function creditGrade(rng: Prng, arrearsMonths: number, previousYear: boolean): CreditGrade {
  if (previousYear) return 'D';
  if (arrearsMonths > 0) return rng.chance(0.6) ? 'C' : 'B';
  return rng.chance(0.75) ? 'A' : 'B';
}

function generateAccount(ctx: GenContext, index: number, profile: Profile): AccountSnapshot {
  const { rng } = ctx;
  const accountNo = accountNoAt(index);
  const customerClass: CustomerClass = profile.kind === 'postpaid' ? profile.customerClass : 'residential';
  const name = customerName(rng, customerClass);
  const addr = address(rng, customerClass);
  const phone = unique(ctx, () => rng.pick(MOBILE_PREFIXES) + rng.digits(8));
  const [lowKwh, highKwh] = MONTHLY_KWH[customerClass];
  const baseKwh = rng.int(lowKwh, highKwh);
  const tariffCode = TARIFF_OF[customerClass];
  const dayFraction = (ctx.today.d * 100) / daysInMonth(ctx.today.y, ctx.today.m);
  const consumptionThisMonth = Math.floor((monthlyConsumption(rng, baseKwh, formatPeriod(ctx.today.y, ctx.today.m)) * dayFraction) / 100);
  const history: { period: string; consumption: number }[] = [];
  for (let k = 13; k >= 0; k--) {
    const period = addMonths(ctx.currentPeriod, -k);
    history.push({ period, consumption: monthlyConsumption(rng, baseKwh, period) });
  }
  const consumptionThisYear =
    history.filter((h) => periodYear(h.period) === ctx.today.y).reduce((s, h) => s + h.consumption, 0) + consumptionThisMonth;

  const openPeriods = new Set<string>();
  let previousYearArrears = false;
  let arrearsMonths = 0;
  const meters: MeterSnapshot[] = [];
  let cardNo: string | undefined;
  let balanceFen = 0;

  if (profile.kind === 'postpaid') {
    const arrears = profile.arrears;
    switch (arrears) {
      case 'demo_two_open':
        openPeriods.add(addMonths(ctx.currentPeriod, -1));
        openPeriods.add(ctx.currentPeriod);
        arrearsMonths = 1;
        break;
      case 'all_paid':
        break;
      case 'none':
        openPeriods.add(ctx.currentPeriod);
        break;
      case 'current_year':
      case 'previous_year': {
        openPeriods.add(ctx.currentPeriod);
        arrearsMonths = rng.int(1, 2);
        for (let k = 1; k <= arrearsMonths; k++) openPeriods.add(addMonths(ctx.currentPeriod, -k));
        if (arrears === 'previous_year') {
          const lastOfPreviousYear = history.filter((h) => periodYear(h.period) < ctx.today.y).at(-1);
          if (lastOfPreviousYear !== undefined) {
            openPeriods.add(lastOfPreviousYear.period);
            previousYearArrears = true;
          }
        }
        break;
      }
      default: {
        const exhaustive: never = arrears;
        throw new Error(`unknown arrears profile ${String(exhaustive)}`);
      }
    }
    const meterCount = customerClass === 'residential' ? 1 : customerClass === 'industrial' ? rng.int(2, 3) : rng.chance(0.1) ? 2 : 1;
    for (let m = 0; m < meterCount; m++) {
      meters.push({ meterNo: unique(ctx, () => '4110' + rng.digits(8)), kind: 'postpaid' });
    }
    if (rng.chance(0.1)) balanceFen = rng.int(100, 5000);
  } else {
    if (profile.arrears) {
      // Arrears left from before the switch to prepaid, recovered a share at a time when vending.
      const older = addMonths(ctx.currentPeriod, -rng.int(3, 8));
      openPeriods.add(older);
      arrearsMonths = 1;
      previousYearArrears = periodYear(older) < ctx.today.y;
    }
    balanceFen = rng.chance(0.2) ? rng.int(0, 4999) : rng.int(5000, 30000);
    if (profile.kind === 'sts') {
      const drn = profile.drn ?? unique(ctx, () => rng.digits(11));
      ctx.used.add(drn);
      const sts: StsParams = {
        iin: STS_IIN,
        drn,
        keyType: 2,
        sgc: profile.sgc,
        ti: '01',
        krn: 1,
        baseDate: profile.baseDate,
        algorithm: 'EA07',
      };
      meters.push({ meterNo: STS_IIN + drn + luhnCheckDigit(STS_IIN + drn), kind: 'sts', sts });
    } else {
      cardNo = unique(ctx, () => '8610' + rng.digits(12));
      meters.push({ meterNo: unique(ctx, () => '4120' + rng.digits(8)), kind: 'card', cardGeneration: profile.generation });
    }
  }

  const bills: BillSnapshot[] = [];
  // Prepaid accounts get no monthly bills; postpaid ones show their last 6 paid months.
  const paidHistory = profile.kind === 'postpaid' ? history.filter((h) => !openPeriods.has(h.period)).slice(-6) : [];
  const partialPeriod = arrearsMonths > 0 && rng.chance(0.25) ? [...openPeriods].sort()[0] : undefined;
  for (const h of history) {
    const open = openPeriods.has(h.period);
    if (!open && !paidHistory.includes(h)) continue;
    const amountFen = billAmountFen(tariffCode, h.consumption);
    const paidFen = open ? (h.period === partialPeriod ? Math.floor((amountFen * rng.int(30, 70)) / 100) : 0) : amountFen;
    ctx.billSeq += 1;
    bills.push({
      billId: `B${h.period.replace('-', '')}${String(ctx.billSeq).padStart(7, '0')}`,
      period: h.period,
      consumption: h.consumption,
      amountFen,
      paidFen,
      lateFeePaidFen: 0,
      dueDate: dueDateOf(h.period),
      status: open ? 'open' : 'paid',
      // A seeded part-payment has no recorded date: it counts as paid by the due date.
      payments: [],
    });
  }

  const fixedHistory = FIXED_HISTORIES[index];
  const behaviour = generateHistory({
    seed: ctx.seed,
    index,
    today: ctx.seedDate,
    to: ctx.currentPeriod,
    customerClass,
    tariffCode,
    baseKwh,
    prepaid: profile.kind !== 'postpaid',
    openPeriods,
    bills: new Map(bills.map((b) => [b.period, { consumption: b.consumption, amountFen: b.amountFen }])),
    consumption: new Map(history.map((h) => [h.period, h.consumption])),
    arrears: profile.kind === 'postpaid' ? profile.arrears : profile.arrears ? 'prepaid_arrears' : 'prepaid',
    ...(fixedHistory === undefined ? {} : { fixed: fixedHistory }),
  });
  const account: AccountSnapshot = {
    accountNo,
    name,
    address: addr,
    phone,
    customerClass,
    paymentMode: profile.kind === 'postpaid' ? 'postpaid' : 'prepaid',
    tariffCode,
    balanceFen,
    creditGrade: creditGrade(rng, arrearsMonths, previousYearArrears),
    meters,
    bills,
    consumptionThisYear,
    consumptionThisMonth,
    version: 1,
    updatedAt: ctx.updatedAt,
    status: 'active',
    history: behaviour,
  };
  if (cardNo !== undefined) account.cardNo = cardNo;
  return account;
}
