import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="not-found">
      <h1>Page not found</h1>
      <p>
        <Link href="/overview">Back to the overview</Link>
      </p>
    </main>
  );
}
