package sqlstore

// byMessageID names the emails table for a look-up by Message-ID among
// first arrivals. Without statistics SQLite prefers the received-at index,
// which also gives the order asked for, and so reads every email of the
// tenant on each look-up; the first-arrival index finds the few rows of one
// Message-ID. PostgreSQL's planner picks that index from its statistics.
func byMessageID(d Dialect) string {
	if d == SQLite {
		return "source_emails INDEXED BY source_emails_first_arrival_idx"
	}
	return "source_emails"
}

// earlierContentQuery finds the first arrival of a Message-ID whose
// content differs (tenant, Message-ID, content hash).
func earlierContentQuery(d Dialect) string {
	return `SELECT id FROM ` + byMessageID(d) + ` WHERE tenant_id = ? AND message_id = ? AND status <> 'duplicate'
		AND content_sha256 <> ? ORDER BY received_at, id LIMIT 1`
}

// firstArrivalsQuery reads the first arrivals of n Message-IDs of a tenant.
func firstArrivalsQuery(d Dialect, n int) string {
	return `SELECT ` + emailListColumns + ` FROM ` + byMessageID(d) + ` WHERE tenant_id = ?
		AND message_id IN (` + placeholders(n) + `) AND status <> 'duplicate' ORDER BY received_at DESC, id DESC`
}
