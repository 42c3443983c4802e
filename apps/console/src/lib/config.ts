/**
 * The console's server-side configuration, read from the environment here and nowhere else.
 * Server components and server actions import it; it is never sent to the browser.
 */
export interface ConsoleConfig {
  /** Base URL of the REST API, without a trailing slash. */
  apiUrl: string;
  /**
   * A bearer token the console server uses for API calls when the browser brings no console
   * session (CONSOLE_API_TOKEN; e.g. a kiosk or the e2e stack). Never sent to the browser.
   */
  apiToken: string | undefined;
}

const DEFAULT_API_URL = 'http://localhost:8080';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const raw = env.API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`invalid console configuration: API_URL is not a URL: ${raw}`);
  }
  const apiToken = env.CONSOLE_API_TOKEN?.trim() || undefined;
  return { apiUrl: url.toString().replace(/\/+$/, ''), apiToken };
}
