import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { paths, components } from './schema';
export type NasClient = Client<paths>;

/**
 * Typed client for the NAS service, generated from the committed spec openapi/openapi.json
 * (`npm run openapi` regenerates schema.d.ts with openapi-typescript; openapi-fetch does the calls).
 */
export function createNasClient(baseUrl: string, apiKey?: string): NasClient {
  return createClient<paths>({ baseUrl, headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {} });
}
