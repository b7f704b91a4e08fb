package sqlstore

// Translate exposes the driver-error mapping to the external tests, which
// check that the database's own refusals arrive as application errors.
var Translate = translate
