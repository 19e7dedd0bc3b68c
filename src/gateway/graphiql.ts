/**
 * GraphiQL served with its assets bundled (`@graphql-yoga/render-graphiql`, the same GraphiQL as yoga's default,
 * ~9 MB of inlined JS and CSS) instead of yoga's default page, which loads its scripts from a CDN and stays blank
 * ("Loading …") on a machine without internet — the embedded default is meant to work offline.
 */
import type { GraphiQLOptions } from 'graphql-yoga'

/** Default GraphiQL options: the page title and a first query that runs against the fixtures of any devnet. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Sign Protocol attestations — GraphiQL',
  defaultQuery: '{\n  attestations(first: 5) {\n    totalCount\n    nodes { id attester indexingKey attestTime }\n  }\n}\n',
}

const pages = new Map<string, Promise<string>>()

/**
 * Yoga `renderGraphiQL`: the bundled page, loaded on the first GraphiQL request (not at start-up) and memoised per
 * option set (yoga asks for the page on every GET from a browser).
 * @param options what yoga passes (endpoint, subscription protocol, …)
 * @returns the HTML page
 */
export function renderBundledGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options)
  let page = pages.get(key)
  if (!page) {
    page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options))
    page.catch(() => pages.delete(key))
    if (pages.size < 16) pages.set(key, page)
  }
  return page
}
