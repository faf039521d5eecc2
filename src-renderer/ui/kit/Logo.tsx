/** The product's mark: a small switchboard of three lines meeting in one point, and the name. */
export function Logo({ compact }: { compact?: boolean }) {
  return (
    <span className={`logo${compact ? ' logo--compact' : ''}`}>
      <svg aria-hidden="true" width="20" height="20" viewBox="0 0 20 20" className="logo__mark">
        <rect x="0" y="0" width="20" height="20" rx="5" fill="var(--accent)" />
        <path d="M5 6h4l2 4h4M5 10h10M5 14h4l2-4" fill="none" stroke="var(--accent-fg)" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {compact ? null : <span className="logo__name">Switchboard</span>}
    </span>
  );
}
