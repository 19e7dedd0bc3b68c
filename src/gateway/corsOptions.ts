/**
 * CORS for the gateway. yoga's default answers any `Origin` with that origin AND
 * `access-control-allow-credentials: true`, which lets any web page make credentialed requests. The gateway has
 * no cookie or credential of its own: credentials are never allowed, and origins come from the configuration
 * (`server.corsOrigins`, env `CORS_ORIGINS`, flag `--cors-origin`).
 */
import type { YogaServerOptions } from 'graphql-yoga'

/**
 * Builds yoga's `cors` option.
 * @param origins `['*']` (default): any origin, without credentials; a list of origins (`https://app.example.com`):
 *   only those (any other gets no `access-control-allow-origin`); `[]`: no CORS headers at all (same-origin only)
 */
export function toCorsOptions(origins: readonly string[] = ['*']): YogaServerOptions<object, object>['cors'] {
  if (!origins.length) return false
  if (origins.includes('*')) return { origin: '*', credentials: false }
  const allowed = new Set(origins)
  return (request: Request) => {
    const origin = request.headers.get('origin')
    // yoga echoes a one-item list whatever the request's origin: only name an origin that is allowed
    return origin !== null && allowed.has(origin) ? { origin: [origin], credentials: false } : false
  }
}
