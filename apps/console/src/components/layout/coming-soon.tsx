import type { NavItem } from '@/lib/nav';

/** Body of a section that is not built yet. */
export function ComingSoon({ item }: { item: NavItem }) {
  return (
    <>
      <h1 className="page-title">{item.label}</h1>
      <p className="muted">{item.description}</p>
      <section className="panel">
        <p>Coming soon.</p>
      </section>
    </>
  );
}
