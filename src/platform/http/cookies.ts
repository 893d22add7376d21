import type { Request } from 'express';

/**
 * One cookie's value from the request, or undefined. A malformed value (a bad %-escape) reads as absent rather than
 * throwing, so a mangled cookie can never turn every page into a 500.
 */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
