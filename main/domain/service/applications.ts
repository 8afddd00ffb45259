/**
 * Service applications (业扩/变更): what each type's minimal form asks and how each field is
 * checked. The fields and documents per type come from resources/rules/service.json; a form asks
 * nothing the rules do not need.
 */
import type { ApplicationField, ApplicationTypeRule } from './rules.js';

export type FieldProblem = 'required' | 'invalid';

/** PRC resident ID (18 characters, ISO 7064 MOD 11-2 check character). */
export function isResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (weights[i] ?? 0);
  return '10X98765432'[sum % 11] === id[17];
}

const CHECKS: Readonly<Record<ApplicationField, (v: string) => boolean>> = {
  applicantName: (v) => v.length >= 1 && v.length <= 40,
  idNumber: isResidentId,
  phone: (v) => /^1\d{10}$/.test(v),
  address: (v) => v.length >= 4 && v.length <= 120,
  capacityKva: (v) => /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 10_000,
};

/**
 * The form's values, trimmed, checked against the type's fields: the first problem (in the form's
 * order), or the clean values. Values for fields the type does not ask are refused, not kept.
 */
export function checkApplicationForm(
  rule: ApplicationTypeRule,
  values: Readonly<Record<string, string>>,
): { ok: true; values: Record<ApplicationField, string> } | { ok: false; field: string; problem: FieldProblem } {
  for (const key of Object.keys(values)) {
    if (!(rule.fields as readonly string[]).includes(key)) return { ok: false, field: key, problem: 'invalid' };
  }
  const clean = {} as Record<ApplicationField, string>;
  for (const field of rule.fields) {
    const raw = (values[field] ?? '').trim();
    const value = field === 'idNumber' ? raw.toUpperCase() : raw;
    if (value === '') return { ok: false, field, problem: 'required' };
    if (!CHECKS[field](value)) return { ok: false, field, problem: 'invalid' };
    clean[field] = value;
  }
  return { ok: true, values: clean };
}

/**
 * What taking an application costs the customer at the counter, counted: fields keyed (the account,
 * when the type needs one, is found by search, not keyed) and steps (type, form, documents, accept).
 */
export function formCost(rule: ApplicationTypeRule): { fields: number; steps: number } {
  return { fields: rule.fields.length, steps: 4 };
}
