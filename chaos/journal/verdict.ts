/** How a journal ended, in the words the report and `--json` both use. */
export type VerdictKind = 'passed' | 'deviated' | 'failed' | 'aborted' | 'interrupted' | 'other';

/** `deviated` first (the steady state did not hold after the method), then the run's status; `other` for a status this version does not know (a journal of a newer one). */
export function verdictKind(journal: { readonly status: string; readonly deviated: boolean }): VerdictKind {
  if (journal.deviated) return 'deviated';
  switch (journal.status) {
    case 'completed':
      return 'passed';
    case 'failed':
    case 'aborted':
    case 'interrupted':
      return journal.status;
    default:
      return 'other';
  }
}
