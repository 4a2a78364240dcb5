// The two guided logins: paste an access token, or PKCE with the app key (the verifier stays in memory
// between start() and finish(), so both run in one process: the CLI prompt or the Auth screen).
import { AuthRequiredError, UsageError } from '../../../core/errors.js';
import type { LoginFlow, LoginStart } from '../backend.js';
import type { DropboxApi } from './api.js';
import { expiry, pkcePair, SCOPES } from './auth.js';
import { classify, toUserError } from './errors.js';

interface Account {
  account_id?: string;
  email?: string;
  name?: { display_name?: string };
}

/** "Display Name <email>" for a token (default: the current one). */
export async function whoAmI(api: DropboxApi, token?: string, attempts?: number): Promise<string> {
  const sdk = api.sdk as unknown as { auth: { setAccessToken(t: string): void }; usersGetCurrentAccount(): Promise<{ result: Account }> };
  let a: Account;
  if (token) {
    try {
      sdk.auth.setAccessToken(token);
      a = (await sdk.usersGetCurrentAccount()).result;
    } catch (e) {
      const c = classify(e);
      if (c.status === 401) throw new AuthRequiredError('Dropbox refused this token (expired, revoked or mistyped); generate a new one and try again');
      throw toUserError(e, c, 'sign-in');
    }
  } else {
    a = await api.call('get_current_account', (dbx) => dbx.usersGetCurrentAccount() as unknown as Promise<{ result: Account }>, { attempts });
  }
  const name = a.name?.display_name;
  return name && a.email ? `${name} <${a.email}>` : (name ?? a.email ?? a.account_id ?? 'unknown account');
}

export function loginFlow(api: DropboxApi, options: { token?: boolean; scopes?: string[] }): LoginFlow {
  if (options.token) {
    return {
      async start(): Promise<LoginStart> {
        return {
          url: `${api.hosts.web}/developers/apps`,
          expects: 'token',
          instructions: [
            'Open your Dropbox app in the App Console (the URL below), or create one with access to its own app folder.',
            'Under "OAuth 2", press "Generate" for an access token and copy it.',
            'Paste the token here.',
          ],
        };
      },
      async finish(pasted: string) {
        const token = pasted.trim();
        if (!token) throw new UsageError('no token given');
        const who = await whoAmI(api, token);
        api.auth.save({ accessToken: token, who });
        return { who };
      },
    };
  }
  let verifier: string | undefined;
  return {
    async start(): Promise<LoginStart> {
      const pair = pkcePair();
      verifier = pair.verifier;
      return {
        url: api.auth.authorizeUrl(pair.challenge, options.scopes ?? SCOPES),
        expects: 'code',
        instructions: ['Open the URL below in a browser (or scan the QR code) and sign in to Dropbox.', 'Allow access; Dropbox then shows an access code.', 'Paste the code here.'],
      };
    },
    async finish(pasted: string) {
      if (!verifier) throw new UsageError('login was not started');
      const code = pasted.trim();
      if (!code) throw new UsageError('no code given');
      const t = await api.auth.exchangeCode(code, verifier);
      const who = await whoAmI(api, t.access_token);
      api.auth.save({ accessToken: t.access_token, ...expiry(t.expires_in), refreshToken: t.refresh_token, appKey: t.appKey, accountId: t.account_id, who });
      verifier = undefined;
      return { who };
    },
  };
}
