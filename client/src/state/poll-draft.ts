import { Limits, type Poll } from '@echora/shared';

/** How long a new poll stays open: the dialog's choices, in minutes (null: until closed). */
export const POLL_DURATIONS: readonly { label: string; minutes: number | null }[] = [
  { label: '1 hour', minutes: 60 },
  { label: '4 hours', minutes: 4 * 60 },
  { label: '8 hours', minutes: 8 * 60 },
  { label: '1 day', minutes: 24 * 60 },
  { label: '3 days', minutes: 3 * 24 * 60 },
  { label: '1 week', minutes: 7 * 24 * 60 },
  { label: 'No end', minutes: null },
];

/** What the creation dialog holds. */
export interface PollDraft {
  question: string;
  options: string[];
  multiple: boolean;
  anonymous: boolean;
  minutes: number | null;
}

/** The problems of a draft, by field ("question", "option 2", "options"), for the dialog to show. */
export function draftProblems(draft: PollDraft): Map<string, string> {
  const problems = new Map<string, string>();
  const question = draft.question.trim();
  if (!question) problems.set('question', 'Ask a question.');
  else if (question.length > Limits.pollQuestionLength) {
    problems.set('question', `At most ${Limits.pollQuestionLength} characters.`);
  }
  const seen = new Set<string>();
  draft.options.forEach((text, i) => {
    const option = text.trim();
    const key = `option ${i + 1}`;
    if (!option) problems.set(key, 'Fill in this option or remove it.');
    else if (option.length > Limits.pollOptionLength) {
      problems.set(key, `At most ${Limits.pollOptionLength} characters.`);
    } else if (seen.has(option.toLocaleLowerCase())) problems.set(key, 'Same as another option.');
    seen.add(option.toLocaleLowerCase());
  });
  if (draft.options.length < Limits.pollOptionsMin) {
    problems.set('options', `A poll needs at least ${Limits.pollOptionsMin} options.`);
  }
  return problems;
}

/** Whether no vote counts any more: closed by hand or by the server, or past its end. */
export function pollClosed(poll: Poll, now: number): boolean {
  return poll.closedAt !== null || (poll.endsAt !== null && Date.parse(poll.endsAt) <= now);
}
