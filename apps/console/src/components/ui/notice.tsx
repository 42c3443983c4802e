'use client';

import { useCallback, useState } from 'react';

export interface NoticeValue {
  kind: 'ok' | 'error';
  text: string;
}

/** The outcome of the last action, announced to screen readers (status / alert). */
export function Notice({ notice, onDismiss }: { notice: NoticeValue | undefined; onDismiss?: () => void }) {
  if (!notice) return <div role="status" className="visually-hidden" />;
  return (
    <div role={notice.kind === 'error' ? 'alert' : 'status'} className={`alert ${notice.kind === 'error' ? 'alert-error' : 'alert-ok'}`}>
      <span data-testid="notice">{notice.text}</span>
      {onDismiss ? (
        <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss message">
          ×
        </button>
      ) : null}
    </div>
  );
}

export function useNotice(): [NoticeValue | undefined, (kind: NoticeValue['kind'], text: string) => void, () => void] {
  const [notice, setNotice] = useState<NoticeValue>();
  const show = useCallback((kind: NoticeValue['kind'], text: string) => setNotice({ kind, text }), []);
  const clear = useCallback(() => setNotice(undefined), []);
  return [notice, show, clear];
}
