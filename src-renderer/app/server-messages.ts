/**
 * The server answers in English; the messages a user may see are translated here. An unknown
 * message is shown as the server wrote it (it is plain text, never markup).
 */
import type { TFunction } from 'i18next';
import { ApiError, NetworkError } from './http';

const KNOWN: Record<string, string> = {
  'Wrong email or password': 'serverError.wrongCredentials',
  'Too many failed sign-in attempts; try again later': 'serverError.tooManyAttempts',
  'Too many requests': 'serverError.tooManyRequests',
  'This account is deactivated': 'serverError.deactivated',
  'Registration is not finished': 'serverError.notRegistered',
  'Email is already in use': 'serverError.emailInUse',
  'Invitation link is invalid or has expired': 'serverError.invitationInvalid',
  'Password must be at least 10 characters': 'validation.passwordLength',
  'Email is not valid': 'validation.email',
  'Company name is required': 'validation.required',
  'Name is required': 'validation.required',
  'Phone is required': 'validation.required',
  'Group not found': 'serverError.groupNotFound',
  'Access denied': 'serverError.accessDenied',
  // Transition refusals (src-core REJECT), shown in the "changed by" banner.
  'Conversation is being distributed': 'reject.distributing',
  'Conversation is locked by an agent': 'reject.locked',
  'Conversation is assigned to another operator': 'reject.assignedToAnother',
  'Conversation is closed': 'reject.closed',
  'Conversation is not closed': 'reject.notClosed',
  'Operator is not active': 'reject.operatorNotActive',
  'Operator not found': 'reject.operatorNotFound',
  'Conversation was changed': 'reject.changed',
  'Conversation has a newer client message': 'reject.newerClientMessage',
  'Conversation is not in Unassigned': 'reject.notUnassigned',
};

export function translateServerMessage(message: string, t: TFunction): string {
  const key = KNOWN[message];
  return key ? (t(key as never) as string) : message;
}

/** Field errors of a failed form submission, translated, plus a message for the whole form. */
export function formErrors(err: unknown, t: TFunction, fieldNames: readonly string[]): { fields: Record<string, string>; form: string | null } {
  if (err instanceof NetworkError) return { fields: {}, form: t('serverError.network') };
  if (err instanceof ApiError) {
    if (err.fields) {
      const fields: Record<string, string> = {};
      let form: string | null = null;
      for (const [field, message] of Object.entries(err.fields)) {
        if (fieldNames.includes(field)) fields[field] = translateServerMessage(message, t);
        else form = translateServerMessage(message, t);
      }
      return { fields, form };
    }
    return { fields: {}, form: translateServerMessage(err.message, t) };
  }
  return { fields: {}, form: t('serverError.unexpected') };
}
