package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// translate maps driver errors to apperr codes, identically for both engines.
// what names the thing being read or written ("vendor", "user").
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(apperr.NotFound, err, "%s not found", what)
	}
	switch constraintOf(err) {
	case constraintUnique:
		return apperr.Wrap(apperr.Conflict, err, "%s already exists", what)
	case constraintForeignKey:
		return apperr.Wrap(apperr.Invalid, err, "%s refers to something that does not exist", what)
	case constraintCheck, constraintNotNull:
		return apperr.Wrap(apperr.Invalid, err, "%s is not valid", what)
	case constraintTrigger:
		return apperr.Wrap(apperr.Forbidden, err, "%s cannot be changed", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

type constraint int

const (
	constraintNone constraint = iota
	constraintUnique
	constraintForeignKey
	constraintCheck
	constraintNotNull
	constraintTrigger
)

func constraintOf(err error) constraint {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return constraintUnique
		case "23503":
			return constraintForeignKey
		case "23514":
			return constraintCheck
		case "23502":
			return constraintNotNull
		case "P0001":
			return constraintTrigger
		}
		return constraintNone
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return constraintUnique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return constraintForeignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return constraintCheck
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return constraintNotNull
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER, sqlite3.SQLITE_CONSTRAINT:
			return constraintTrigger
		}
	}
	return constraintNone
}

// IsConflict reports whether err is a unique violation on either engine.
func IsConflict(err error) bool { return constraintOf(err) == constraintUnique }
