import type { ReactNode } from 'react';
import { logout } from '@/features/auth/actions';
import type { Problem } from '@/lib/problem';

/** Loading, error and empty states for a data panel, in one place so every page says the same. */
export function DataState({ loading, problem, empty, emptyText, children }: { loading: boolean; problem: Problem | undefined; empty: boolean; emptyText: ReactNode; children: ReactNode }) {
  if (loading) {
    return (
      <div aria-busy="true" className="state state-loading">
        <div className="skeleton" />
        <div className="skeleton short" />
        <span className="visually-hidden">Loading…</span>
      </div>
    );
  }
  return (
    <>
      {problem ? <ProblemAlert problem={problem} /> : null}
      {empty && !problem ? <p className="state state-empty">{emptyText}</p> : null}
      {!empty ? children : null}
    </>
  );
}

export function ProblemAlert({ problem }: { problem: Problem }) {
  const missing = problem.status === 404 && problem.code.includes('ROUTE_NOT_FOUND');
  return (
    <div role="alert" className="alert alert-error">
      <strong>{missing ? 'Not available on this API' : problem.title}</strong>
      <span> {missing ? 'This API version does not offer this yet.' : problem.detail}</span>
      {problem.status === 401 ? (
        <form action={logout} className="inline-form">
          <button type="submit" className="button button-small">
            Sign in again
          </button>
        </form>
      ) : null}
    </div>
  );
}
