export const ROLES = ['clerk', 'supervisor', 'manager', 'auditor', 'technician', 'kiosk'] as const;
export type Role = (typeof ROLES)[number];

/** Who may call a method: 'public' needs no sign-in (sign-in itself, system info). */
export type Access = 'public' | readonly Role[];

export const COUNTER_STAFF: readonly Role[] = ['clerk', 'supervisor', 'manager'];
export const ANY_STAFF: readonly Role[] = ['clerk', 'supervisor', 'manager', 'auditor', 'technician'];
