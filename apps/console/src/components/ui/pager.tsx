'use client';

/** Cursor pagination: "First page" and "Next page" (the API pages forward by cursor). */
export function Pager({ hasPrevious, nextCursor, onFirst, onNext }: { hasPrevious: boolean; nextCursor: string | null | undefined; onFirst: () => void; onNext: (cursor: string) => void }) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button" disabled={!hasPrevious} onClick={onFirst}>
        First page
      </button>
      <button type="button" className="button" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}
