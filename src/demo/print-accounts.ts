import type { DemoResult } from './demo-seed';

/** The console message after the demo was loaded: what it holds and how to sign in. */
export function demoBanner(result: DemoResult, baseUrl: string): string {
  const width = Math.max(...result.accounts.map((a) => a.email.length));
  return [
    '',
    'Demo data loaded: the 2016 and 2018 engagement rounds (civil society 8% then 20% of participants),',
    'an open consultation of today, the key indicators, and Canada’s 4th national action plan with commitment 19.',
    'Demo accounts (development only):',
    ...result.accounts.map((a) => `  ${a.role.padEnd(12)} ${a.email.padEnd(width)}  password: ${a.password}`),
    `Sign in at ${baseUrl}/sign-in`,
    '',
  ].join('\n');
}
