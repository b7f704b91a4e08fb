package blob

import (
	"encoding/hex"
	"hash"
	"io"
	"os"
)

// hashed returns a reader positioned at the start of r's content, its size
// and SHA-256. Seekable inputs are read twice; others are spooled to a
// temporary file so that large inputs never sit in memory.
func hashed(r io.Reader, h hash.Hash) (src io.Reader, size int64, sum string, cleanup func(), err error) {
	noop := func() {}
	if rs, ok := r.(io.ReadSeeker); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err == nil {
			n, err := io.Copy(h, rs)
			if err != nil {
				return nil, 0, "", noop, err
			}
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, 0, "", noop, err
			}
			return rs, n, hex.EncodeToString(h.Sum(nil)), noop, nil
		}
	}
	f, err := os.CreateTemp("", "vendorsync-blob-*")
	if err != nil {
		return nil, 0, "", noop, err
	}
	cleanup = func() {
		f.Close()
		os.Remove(f.Name()) // a leftover temp file is harmless; nothing else to do
	}
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, 0, "", noop, err
	}
	return f, n, hex.EncodeToString(h.Sum(nil)), cleanup, nil
}
