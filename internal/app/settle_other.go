//go:build !linux

package app

// releaseCodePages is a no-op where the kernel cannot be asked to take
// back file-backed pages.
func releaseCodePages() error { return nil }
