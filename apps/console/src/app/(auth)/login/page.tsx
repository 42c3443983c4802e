import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/features/auth/components/login-form';
import { getSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage() {
  if (await getSession()) redirect('/overview');
  return (
    <main className="login">
      <h1 className="page-title">MQTT Platform</h1>
      <p className="muted">Sign in with your admin account.</p>
      <LoginForm />
    </main>
  );
}
