/** Placeholder while a panel's data is on its way. */
export function PanelSkeleton({ title }: { title: string }) {
  return (
    <section className="panel" aria-busy="true">
      <h2 className="panel-title">{title}</h2>
      <div className="skeleton" />
      <div className="skeleton short" />
    </section>
  );
}
