export interface MqttUser {
  id: string;
  username: string;
  enabled: boolean;
  superuser: boolean;
  groups: string[];
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Credential {
  id: string;
  userId: string;
  label: string | null;
  clientIdPattern: string | null;
  expiresAt: string | null;
  revoked: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface CreatedCredential extends Credential {
  password?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** "a, b ,, c" -> ["a", "b", "c"] (unique). */
export function parseGroups(text: string): string[] {
  return [...new Set(text.split(',').map((group) => group.trim()).filter(Boolean))];
}
