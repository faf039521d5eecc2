/** The account endpoints of the sync server (README "Server HTTP surface"). */
import { apiRequest } from './http';
import type { TokenPair } from '../../src-core/protocol/auth';

export type { TokenPair };

export interface Me {
  id: number;
  companyId: number;
  name: string;
  email: string;
  isOwner: boolean;
  groupIds: number[];
  roleId: number | null;
}

export interface SignupInput {
  companyName: string;
  name: string;
  email: string;
  phone: string;
  password: string;
  timeZone: string;
}

export interface AdminOperator {
  id: number;
  name: string;
  email: string;
  isOwner: boolean;
  status: 'not_registered' | 'active' | 'deactivated';
  groupIds: number[];
  roleId: number | null;
  away: boolean;
}

export interface InviteOutcome {
  invited: Array<{ email: string; userId: number; invitationToken: string; invitationUrl: string }>;
  skipped: Array<{ email: string; reason: string }>;
}

export const authApi = {
  signup: (server: string, input: SignupInput) => apiRequest<TokenPair & { apiToken: string }>(server, '/auth/signup', { body: input }),
  login: (server: string, email: string, password: string) => apiRequest<TokenPair>(server, '/auth/login', { body: { email, password } }),
  refresh: (server: string, refreshToken: string) => apiRequest<TokenPair>(server, '/auth/refresh', { body: { refreshToken } }),
  logout: (server: string, refreshToken: string) => apiRequest<{ success: true }>(server, '/auth/logout', { body: { refreshToken } }),
  invitation: (server: string, token: string) => apiRequest<{ email: string; companyName: string }>(server, '/auth/invitation', { query: { token } }),
  acceptInvite: (server: string, token: string, name: string, password: string) =>
    apiRequest<TokenPair>(server, '/auth/accept-invite', { body: { token, name, password } }),
  me: (server: string, accessToken: string) => apiRequest<Me>(server, '/auth/me', { accessToken }),
};

export const adminApi = {
  operators: (server: string, accessToken: string) => apiRequest<AdminOperator[]>(server, '/admin/operators', { accessToken }),
  invite: (server: string, accessToken: string, email: string, groupIds: number[]) =>
    apiRequest<InviteOutcome>(server, '/admin/operators/invite', { accessToken, body: { email, groupIds } }),
  apiToken: (server: string, accessToken: string) => apiRequest<{ token: string }>(server, '/admin/api-token', { accessToken }),
  regenerateApiToken: (server: string, accessToken: string) =>
    apiRequest<{ token: string }>(server, '/admin/api-token', { accessToken, method: 'POST', body: {} }),
};
