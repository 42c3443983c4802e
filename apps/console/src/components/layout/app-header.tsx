import Link from 'next/link';

export function AppHeader() {
  return (
    <header className="app-header">
      <Link href="/overview" className="brand">
        MQTT Platform
      </Link>
    </header>
  );
}
