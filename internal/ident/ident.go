// Package ident makes the identifiers VendorSync's records carry. It
// depends on nothing of the product, so every domain can use it.
package ident

import "github.com/google/uuid"

// New returns a new time-ordered primary key (UUIDv7): ids sort by
// creation, which keeps indexes compact and makes keyset pagination by id
// follow time.
func New() string {
	id, err := uuid.NewV7()
	if err != nil {
		panic(err) // only fails when crypto/rand does
	}
	return id.String()
}
