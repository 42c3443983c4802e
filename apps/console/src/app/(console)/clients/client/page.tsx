import type { Metadata } from 'next';
import Link from 'next/link';
import { ClientDetail } from '@/features/clients/components/client-detail';
import { pageAbilities } from '@/lib/page-session';

export const metadata: Metadata = { title: 'Client' };

/** /clients/client?id=<clientId>: client ids may contain '/', so the id travels in the query string. */
export default async function ClientPage({ searchParams }: { searchParams: Promise<{ id?: string | string[] }> }) {
  const abilities = await pageAbilities('/clients');
  const { id } = await searchParams;
  const clientId = Array.isArray(id) ? id[0] : id;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/clients">Clients</Link>
      </p>
      {clientId ? <ClientDetail clientId={clientId} canWrite={abilities.canWrite} /> : <p className="state state-empty">No client id given.</p>}
    </>
  );
}
