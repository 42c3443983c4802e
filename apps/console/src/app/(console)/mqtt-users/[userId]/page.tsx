import type { Metadata } from 'next';
import Link from 'next/link';
import { MqttUserDetail } from '@/features/mqtt-users/components/mqtt-user-detail';
import { pageAbilities } from '@/lib/page-session';

export const metadata: Metadata = { title: 'MQTT user' };

export default async function MqttUserPage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  const abilities = await pageAbilities('/mqtt-users');
  return (
    <>
      <p className="breadcrumb">
        <Link href="/mqtt-users">MQTT users</Link>
      </p>
      <MqttUserDetail userId={decodeURIComponent(userId)} canWrite={abilities.canWrite} />
    </>
  );
}
