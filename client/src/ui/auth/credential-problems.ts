import { AuthRules } from '@echora/shared/protocol/rest/auth';

/** What is wrong with each field of the sign-in form, in words for people. */
export interface CredentialProblems {
  username?: string;
  password?: string;
}

/**
 * Checks the form before anything is sent, with the server's own rules
 * (`AuthRules`), so the usual mistakes are explained at once and next to the
 * field. Logging in checks only that both are filled: an old account may
 * predate today's rules, and the server has the last word anyway.
 */
export function credentialProblems(
  username: string,
  password: string,
  mode: 'login' | 'register',
): CredentialProblems {
  const problems: CredentialProblems = {};
  const name = username.trim();
  if (name === '') problems.username = 'Enter your username.';
  else if (mode === 'register') {
    if (name.length < AuthRules.usernameMin || name.length > AuthRules.usernameMax) {
      problems.username = `Use ${AuthRules.usernameMin} to ${AuthRules.usernameMax} characters for your username.`;
    } else if (!AuthRules.usernamePattern.test(name)) {
      problems.username = 'Use only letters, numbers, and the characters _ . -';
    }
  }
  if (password === '') problems.password = 'Enter your password.';
  else if (mode === 'register') {
    if (password.length < AuthRules.passwordMin) {
      problems.password = `Use at least ${AuthRules.passwordMin} characters for your password.`;
    } else if (password.length > AuthRules.passwordMax) {
      problems.password = `Use at most ${AuthRules.passwordMax} characters for your password.`;
    }
  }
  return problems;
}

/**
 * A server refusal as a sentence: the server's messages for rules the form
 * already checks are written for logs ("password must be ..."), so they get
 * the form's wording; others read well already and gain a full stop.
 */
export function humanAuthError(message: string, kind: string | undefined): string {
  if (/^password must be at least/i.test(message)) {
    return `Use at least ${AuthRules.passwordMin} characters for your password.`;
  }
  if (/^password must be at most/i.test(message)) {
    return `Use at most ${AuthRules.passwordMax} characters for your password.`;
  }
  if (/^username must be/i.test(message)) {
    return `Use ${AuthRules.usernameMin} to ${AuthRules.usernameMax} characters for your username.`;
  }
  if (/^username may contain only/i.test(message)) {
    return 'Use only letters, numbers, and the characters _ . -';
  }
  if (kind === 'rate_limited') return 'Too many attempts. Wait a minute, then try again.';
  const trimmed = message.trim();
  if (trimmed === '') return 'Something went wrong. Try again.';
  const sentence = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
