package sqlstore

import (
	"context"
	"slices"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/email"
)

// The store implements the notification system's store interface.
var _ dispatch.Store = (*DB)(nil)

// NotificationSettings returns a tenant's saved notification settings, with
// which secrets are stored.
func (db *DB) NotificationSettings(ctx context.Context, tenantID string) (dispatch.ChannelSettings, error) {
	s := dispatch.ChannelSettings{TenantID: tenantID, Configured: true}
	var tls, senior string
	var slackTok, smtpPw, pdKey int
	err := db.reader().queryRow(ctx, `SELECT n.slack_enabled, n.default_channel, n.triage_channel, n.war_room_channel,
		n.email_enabled, n.smtp_host, n.smtp_port, n.smtp_tls, n.smtp_username, n.smtp_from, n.pagerduty_enabled,
		n.pagerduty_base_url, n.senior_management, n.updated_at, n.updated_by,
		(SELECT COUNT(*) FROM secrets s WHERE s.tenant_id = n.tenant_id AND s.name = ?),
		(SELECT COUNT(*) FROM secrets s WHERE s.tenant_id = n.tenant_id AND s.name = ?),
		(SELECT COUNT(*) FROM secrets s WHERE s.tenant_id = n.tenant_id AND s.name = ?)
		FROM notification_settings n WHERE n.tenant_id = ?`,
		dispatch.SecretSlackToken, dispatch.SecretSMTPPassword, dispatch.SecretPagerDutyKey, tenantID).
		Scan(&s.SlackEnabled, &s.DefaultChannel, &s.TriageChannel, &s.WarRoomChannel, &s.EmailEnabled, &s.SMTPHost,
			&s.SMTPPort, &tls, &s.SMTPUsername, &s.SMTPFrom, &s.PagerDutyEnabled, &s.PagerDutyBaseURL, &senior,
			&s.UpdatedAt, &s.UpdatedBy, &slackTok, &smtpPw, &pdKey)
	if err != nil {
		return dispatch.ChannelSettings{}, translate(err, "notification settings")
	}
	s.SMTPTLS, s.SeniorManagement, s.UpdatedAt = email.TLSMode(tls), parseList(senior), s.UpdatedAt.UTC()
	s.SlackTokenSet, s.SMTPPasswordSet, s.PagerDutyKeySet = slackTok > 0, smtpPw > 0, pdKey > 0
	return s, nil
}

// NotificationSecret decrypts one of a tenant's channel secrets.
func (db *DB) NotificationSecret(ctx context.Context, tenantID, name string) ([]byte, error) {
	return db.Secret(ctx, tenantID, name)
}

// SaveNotificationSettings writes a tenant's settings, the secrets given (a
// nil value deletes one) and the audit row in one transaction.
func (db *DB) SaveNotificationSettings(ctx context.Context, s dispatch.ChannelSettings, secrets map[string][]byte, ev audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO notification_settings (tenant_id, slack_enabled, default_channel, triage_channel,
			war_room_channel, email_enabled, smtp_host, smtp_port, smtp_tls, smtp_username, smtp_from, pagerduty_enabled,
			pagerduty_base_url, senior_management, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET slack_enabled = excluded.slack_enabled,
			default_channel = excluded.default_channel, triage_channel = excluded.triage_channel,
			war_room_channel = excluded.war_room_channel, email_enabled = excluded.email_enabled,
			smtp_host = excluded.smtp_host, smtp_port = excluded.smtp_port, smtp_tls = excluded.smtp_tls,
			smtp_username = excluded.smtp_username, smtp_from = excluded.smtp_from,
			pagerduty_enabled = excluded.pagerduty_enabled, pagerduty_base_url = excluded.pagerduty_base_url,
			senior_management = excluded.senior_management, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			s.TenantID, s.SlackEnabled, s.DefaultChannel, s.TriageChannel, s.WarRoomChannel, s.EmailEnabled, s.SMTPHost,
			s.SMTPPort, string(s.SMTPTLS), s.SMTPUsername, s.SMTPFrom, s.PagerDutyEnabled, s.PagerDutyBaseURL,
			jsonList(s.SeniorManagement), s.UpdatedAt.UTC(), s.UpdatedBy)
		if err != nil {
			return translate(err, "notification settings")
		}
		names := make([]string, 0, len(secrets))
		for name := range secrets {
			names = append(names, name)
		}
		slices.Sort(names) // a stable order of writes
		for _, name := range names {
			if v := secrets[name]; v != nil {
				if err := tx.PutSecret(ctx, s.TenantID, name, v); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.exec(ctx, `DELETE FROM secrets WHERE tenant_id = ? AND name = ?`, s.TenantID, name); err != nil {
				return translate(err, "secret")
			}
		}
		return tx.Audit(ctx, ev)
	})
}

// TeamMembers lists the active users of a team, by email.
func (db *DB) TeamMembers(ctx context.Context, tenantID, teamID string) ([]auth.User, error) {
	return queryAll(ctx, db.reader(), "team members", scanUser, `SELECT `+prefixed("u.", userColumns)+`
		FROM users u JOIN user_teams ut ON ut.user_id = u.id AND ut.tenant_id = u.tenant_id
		WHERE u.tenant_id = ? AND ut.team_id = ? AND u.is_active = ? ORDER BY u.email`, tenantID, teamID, true)
}

// ActiveAdmins lists a tenant's active admins, by email.
func (db *DB) ActiveAdmins(ctx context.Context, tenantID string) ([]auth.User, error) {
	return queryAll(ctx, db.reader(), "admins", scanUser, `SELECT `+userColumns+` FROM users
		WHERE tenant_id = ? AND role = ? AND is_active = ? ORDER BY email`, tenantID, string(auth.RoleAdmin), true)
}
