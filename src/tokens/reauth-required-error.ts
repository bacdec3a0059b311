import { RelayError } from '../errors.ts';

/** No grant of this connection can be refreshed: a user has to consent again. Never retried. */
export class ReauthRequiredError extends RelayError {
  readonly connectionId: string;
  readonly siteHost: string;

  constructor(connection: { readonly id: string; readonly siteHost: string }, reason: string) {
    super('REAUTH_REQUIRED', `${connection.siteHost} needs reauthorization: ${reason}`, { retryable: false });
    this.name = 'ReauthRequiredError';
    this.connectionId = connection.id;
    this.siteHost = connection.siteHost;
  }
}
