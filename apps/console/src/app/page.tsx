import { redirect } from 'next/navigation';

/** The console opens on the overview. */
export default function HomePage(): never {
  redirect('/overview');
}
