/** What the sync server's account endpoints (`/auth/signup`, `/auth/login`, `/auth/refresh`, invitation accept) answer. */
export interface TokenPair {
  /** Short-lived bearer token for the HTTP surface and the sync socket. */
  accessToken: string;
  /** When the access token expires (Unix ms). */
  accessExpiresAt: number;
  /** Long-lived, single-use: trades for a new pair at `/auth/refresh`. */
  refreshToken: string;
  userId: number;
  companyId: number;
}
