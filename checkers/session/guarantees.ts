/** The session guarantees the session checker knows, by name (its `session.guarantees` option). */
export const SESSION_GUARANTEES = ['read-your-writes', 'monotonic-reads', 'monotonic-writes', 'writes-follow-reads'] as const;
export type SessionGuarantee = (typeof SESSION_GUARANTEES)[number];
