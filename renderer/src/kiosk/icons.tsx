/** Small inline icons (no emoji: the kiosk's fonts have no emoji glyphs). Decorative: aria-hidden. */
const common = { 'aria-hidden': true, focusable: false, viewBox: '0 0 24 24', className: 'k-icon' } as const;

export function SpeakerIcon({ muted }: { readonly muted: boolean }) {
  return (
    <svg {...common}>
      <path d="M3 9h4l5-4v14l-5-4H3z" fill="currentColor" />
      {muted ? (
        <path d="M16 9l6 6M22 9l-6 6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      ) : (
        <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" />
      )}
    </svg>
  );
}

export function TextSizeIcon() {
  return (
    <svg {...common}>
      <path d="M2 20l5-14h2l5 14M4.5 14h7" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" />
      <path d="M14 20l3.5-9h1l3.5 9M15.3 17h5.4" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinejoin="round" />
    </svg>
  );
}

export function CardIcon() {
  return (
    <svg {...common} viewBox="0 0 48 48">
      <rect x="6" y="10" width="36" height="26" rx="4" fill="none" stroke="currentColor" strokeWidth="3" />
      <rect x="11" y="16" width="9" height="7" rx="1.5" fill="currentColor" />
      <path d="M24 42v-8M19 38l5 5 5-5" stroke="currentColor" strokeWidth="3" fill="none" strokeLinecap="round" />
    </svg>
  );
}

export function BarcodeIcon() {
  return (
    <svg {...common} viewBox="0 0 48 48">
      <path d="M8 10v28M13 10v28M16 10v28M21 10v28M26 10v28M29 10v28M34 10v28M40 10v28" stroke="currentColor" strokeWidth="2.5" />
      <path d="M4 24h40" stroke="currentColor" strokeWidth="2" opacity=".6" />
    </svg>
  );
}

export function KeypadIcon() {
  return (
    <svg {...common} viewBox="0 0 48 48">
      {[0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => <rect key={`${r}${c}`} x={9 + c * 11} y={6 + r * 11} width="8" height="8" rx="2" fill="currentColor" />))}
      <rect x="20" y="39" width="8" height="6" rx="2" fill="currentColor" />
    </svg>
  );
}

export function CheckIcon() {
  return (
    <svg {...common} viewBox="0 0 48 48">
      <circle cx="24" cy="24" r="21" fill="none" stroke="currentColor" strokeWidth="3" />
      <path d="M14 25l7 7 13-15" stroke="currentColor" strokeWidth="4" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function StarIcon({ filled }: { readonly filled: boolean }) {
  return (
    <svg {...common} viewBox="0 0 24 24">
      <path
        d="M12 2.8l2.8 5.8 6.3.9-4.6 4.4 1.1 6.3L12 17.2l-5.6 3 1.1-6.3L2.9 9.5l6.3-.9z"
        fill={filled ? 'currentColor' : 'none'}
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinejoin="round"
      />
    </svg>
  );
}
