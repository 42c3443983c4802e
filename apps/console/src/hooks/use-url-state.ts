'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback } from 'react';

/**
 * List state (filters, sort, cursor) kept in the URL's query string, so a view can be shared,
 * reloaded and navigated with Back. `set` replaces the given keys; empty values are removed;
 * changing anything but the cursor starts again from the first page.
 */
export function useUrlState(): { get: (key: string) => string; set: (changes: Record<string, string | null | undefined>) => void } {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const get = useCallback((key: string) => params.get(key) ?? '', [params]);
  const set = useCallback(
    (changes: Record<string, string | null | undefined>) => {
      const next = new URLSearchParams(params.toString());
      if (!('cursor' in changes)) next.delete('cursor');
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined || value === null || value === '') next.delete(key);
        else next.set(key, value);
      }
      const search = next.toString();
      router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
    },
    [params, pathname, router],
  );
  return { get, set };
}
