/**
 * `op.statutory_retire_age(gender, scheme, job)`: 60 for men; for women 55
 * when job is '干部' else 50; for scheme '170' (resident pension) 60 for
 * everyone. Null when gender is unknown and the scheme is not '170'. A missing
 * scheme or job means "not 170" / "not 干部": those columns are often absent,
 * and the worker rule is then the one that applies.
 */
export function statutory_retire_age(gender: unknown, scheme: unknown, job: unknown): number | null {
  if (scheme === '170') return 60;
  if (gender === '男') return 60;
  if (gender === '女') return job === '干部' ? 55 : 50;
  return null;
}
