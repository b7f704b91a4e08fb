package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// xattrSHA256 is the extended attribute holding an object file's SHA-256.
const xattrSHA256 = "user.vendorsync.sha256"

// createUnnamed writes src as a new file at p in one change to p's
// directory: an unnamed file (O_TMPFILE) gets the SHA-256 as its extended
// attribute and the bytes, then its name with linkat, which fails when
// the name is taken. done is false, with nothing read from src and
// nothing written, when the filesystem supports neither unnamed files nor
// extended attributes; the caller then writes the portable way. An error
// wrapping fs.ErrNotExist means p's directory is missing, and src is
// untouched.
func createUnnamed(ctx context.Context, p string, src io.Reader, size int64, sha256Hex string) (done bool, err error) {
	fd, err := unix.Open(filepath.Dir(p), unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	switch {
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL):
		return false, nil
	case err != nil:
		return true, &os.PathError{Op: "create", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), p)
	defer f.Close() // an unnamed file that was never linked vanishes here
	if err := unix.Fsetxattr(fd, xattrSHA256, []byte(sha256Hex), 0); err != nil {
		if errors.Is(err, unix.ENOTSUP) {
			return false, nil
		}
		return true, fmt.Errorf("record SHA-256: %v", err)
	}
	n, err := io.Copy(f, src)
	switch {
	case err != nil:
		return true, fmt.Errorf("write: %v", err)
	case n != size:
		return true, fmt.Errorf("input changed while storing: %d bytes, %d expected", n, size)
	case ctx.Err() != nil:
		return true, ctx.Err()
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, p, unix.AT_SYMLINK_FOLLOW)
	switch {
	case errors.Is(err, unix.EEXIST):
		return true, errExists
	case err != nil:
		// Not wrapped: a missing directory at this point is a failure,
		// not a reason to write again from a src already read.
		return true, fmt.Errorf("publish: %v", err)
	}
	return true, f.Close()
}

// recordedSHA256 reads the SHA-256 recorded in p's extended attribute.
func recordedSHA256(p string) (string, bool) {
	var buf [64]byte
	n, err := unix.Getxattr(p, xattrSHA256, buf[:])
	if err != nil || n != len(buf) {
		return "", false
	}
	return string(buf[:n]), true
}

// noteWritten has nothing to note: sync flushes the whole filesystem.
func (d *dir) noteWritten(string) {}

// syncFiles flushes the filesystem holding the store (syncfs): one call for
// every file written since the last, far cheaper than a flush per file.
func (d *dir) syncFiles(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.Open(d.root)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: d.root, Err: err}
	}
	return nil
}
